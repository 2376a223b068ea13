import { StatusIcon } from './status-icon';
import { statusLabel, statusTone } from './status-style';

/** A status as colour, icon and words. */
export function StatusBadge({ status, compact = false }: { status: string; compact?: boolean }) {
  return (
    <span className={`status-badge tone-${statusTone(status)}${compact ? ' compact' : ''}`} data-status={status}>
      <StatusIcon status={status} />
      <span>{statusLabel(status)}</span>
    </span>
  );
}
