import { STEP_STATUSES, TASK_STATUSES } from '../../lib/statuses';
import { StatusIcon } from '../status/status-icon';
import { statusLabel, statusTone } from '../status/status-style';
import '../tasks/compensation.css';

/** States only a task has (compensating), shown after the steps' own. */
const TASK_ONLY_STATUSES = TASK_STATUSES.filter((status) => !(STEP_STATUSES as readonly string[]).includes(status));

/** What the graph's colours, icons and dashed nodes mean: every step status, the task-only ones, and the compensation steps. */
export function StatusLegend() {
  return (
    <ul className="status-legend" aria-label="Legend" data-testid="status-legend">
      {STEP_STATUSES.map((status) => (
        <li key={status} className={`tone-${statusTone(status)}`} data-legend-status={status}>
          <StatusIcon status={status} />
          <span>{statusLabel(status)}</span>
        </li>
      ))}
      {TASK_ONLY_STATUSES.map((status) => (
        <li key={status} className={`tone-${statusTone(status)}`} data-legend-status={status}>
          <StatusIcon status={status} />
          <span>{statusLabel(status)} (task)</span>
        </li>
      ))}
      <li data-legend-status="compensation-step">
        <span className="legend-compensation" aria-hidden="true" />
        <span>compensation step (undoes a completed one; dashed edge from it)</span>
      </li>
    </ul>
  );
}
