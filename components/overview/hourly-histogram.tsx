import Link from 'next/link';
import { taskListHref } from '../../lib/api/task-filters';
import type { Overview } from '../../lib/api/overview';
import { TASK_STATUSES } from '../../lib/statuses';
import { statusLabel, statusTone } from '../status/status-style';

const HOUR_MS = 3_600_000;

/** Tasks created per hour over the last day, stacked by status; each bar links to that hour's tasks. */
export function HourlyHistogram({ buckets }: { buckets: Overview['recent']['buckets'] }) {
  const max = Math.max(1, ...buckets.map((bucket) => bucket.total));
  return (
    <div>
      <div className="histogram" role="list" aria-label="Tasks created per hour">
        {buckets.map((bucket) => {
          const end = new Date(Date.parse(bucket.start) + HOUR_MS).toISOString();
          const label = `${bucket.start.slice(11, 16)}–${end.slice(11, 16)} UTC: ${bucket.total} task${bucket.total === 1 ? '' : 's'}${
            bucket.total
              ? ` (${TASK_STATUSES.filter((status) => bucket.byStatus[status])
                  .map((status) => `${bucket.byStatus[status]} ${statusLabel(status)}`)
                  .join(', ')})`
              : ''
          }`;
          return (
            <Link
              key={bucket.start}
              role="listitem"
              href={taskListHref({ created_after: bucket.start, created_before: end })}
              className="histogram-bar"
              title={label}
              aria-label={label}
            >
              {TASK_STATUSES.filter((status) => bucket.byStatus[status]).map((status) => (
                <span key={status} className={`tone-${statusTone(status)}`} style={{ height: `${((bucket.byStatus[status] ?? 0) / max) * 100}%` }} />
              ))}
            </Link>
          );
        })}
      </div>
      <div className="histogram-axis" aria-hidden="true">
        <span>{buckets[0]?.start.slice(11, 16)} UTC</span>
        <span>{buckets[12]?.start.slice(11, 16)}</span>
        <span>now</span>
      </div>
    </div>
  );
}
