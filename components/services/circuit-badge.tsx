import type { ServiceInfo } from '../../lib/api/types';
import { StatusIcon } from '../status/status-icon';

const CIRCUIT = {
  closed: { tone: 'success', icon: 'complete', label: 'circuit closed' },
  open: { tone: 'danger', icon: 'error', label: 'circuit open' },
  half_open: { tone: 'warning', icon: 'waiting_retry', label: 'circuit half-open' },
} as const;

/** A circuit's state in colour, icon and words. */
export function CircuitBadge({ circuit }: { circuit: ServiceInfo['circuit'] }) {
  const look = CIRCUIT[circuit.state];
  return (
    <span className={`status-badge tone-${look.tone}`} data-circuit={circuit.state}>
      <StatusIcon status={look.icon} />
      <span>{look.label}</span>
    </span>
  );
}

const MODE_TONES: Record<string, string> = {
  up: 'success',
  down: 'danger',
  reject: 'danger',
  slow: 'warning',
  flaky: 'warning',
  rate_limited: 'warning',
};

export function ModeBadge({ mode }: { mode: string | null }) {
  if (!mode) {
    return <span className="status-badge tone-idle">real service</span>;
  }
  const tone = MODE_TONES[mode] ?? 'idle';
  return (
    <span className={`status-badge tone-${tone}`} data-mode={mode}>
      <StatusIcon status={mode === 'up' ? 'complete' : tone === 'danger' ? 'error' : 'waiting_retry'} />
      <span>{mode === 'up' ? 'up' : mode.replaceAll('_', ' ')}</span>
    </span>
  );
}
