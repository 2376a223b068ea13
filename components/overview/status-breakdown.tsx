import { taskListHref } from '../../lib/api/task-filters';
import type { TaskFilters } from '../../lib/api/types';
import { TASK_STATUSES, type TaskStatus } from '../../lib/statuses';
import { Link } from '../shell/link';
import { StatusBadge } from '../status/status-badge';
import { statusLabel, statusTone } from '../status/status-style';

/** Counts per status as labelled bars; each row links to the task list with that status. */
export function StatusBreakdown({ counts, filters = {} }: { counts: Partial<Record<TaskStatus, number>>; filters?: TaskFilters }) {
  const max = Math.max(1, ...Object.values(counts).map((count) => count ?? 0));
  return (
    <div className="status-bars">
      {TASK_STATUSES.map((status) => {
        const count = counts[status] ?? 0;
        return (
          <Link key={status} href={taskListHref({ ...filters, status })} className="status-bar-row" data-testid={`overview-status-${status}`}>
            <StatusBadge status={status} />
            <span className={`bar-track tone-${statusTone(status)}`} aria-hidden="true">
              <span className="bar-fill" style={{ width: `${(count / max) * 100}%` }} />
            </span>
            <span className="num" aria-label={`${count} ${statusLabel(status)}`}>
              {count.toLocaleString('en-US')}
            </span>
          </Link>
        );
      })}
    </div>
  );
}

/** One stacked bar per status share, e.g. for a template's row. */
export function StackedBar({ counts, total, filters }: { counts: Partial<Record<TaskStatus, number>>; total: number; filters: TaskFilters }) {
  return (
    <span className="bar-track">
      {TASK_STATUSES.filter((status) => (counts[status] ?? 0) > 0).map((status) => (
        <Link
          key={status}
          href={taskListHref({ ...filters, status })}
          className={`bar-fill tone-${statusTone(status)}`}
          style={{ width: `${((counts[status] ?? 0) / Math.max(total, 1)) * 100}%` }}
          title={`${(counts[status] ?? 0).toLocaleString('en-US')} ${statusLabel(status)}`}
          aria-label={`${counts[status]} ${statusLabel(status)}`}
        />
      ))}
    </span>
  );
}
