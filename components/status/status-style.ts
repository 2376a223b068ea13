import type { StepStatus, TaskStatus } from '../../lib/statuses';

type AnyStatus = TaskStatus | StepStatus;

/** The colour family of a status; every status is also shown with an icon and its name. */
export type StatusTone = 'success' | 'danger' | 'warning' | 'active' | 'queued' | 'idle' | 'manual' | 'muted';

const TONES: Record<AnyStatus, StatusTone> = {
  complete: 'success',
  error: 'danger',
  waiting_retry: 'warning',
  in_progress: 'active',
  ready: 'queued',
  pending: 'idle',
  resolved_manually: 'manual',
  skipped: 'muted',
  cancelled: 'muted',
  compensating: 'active',
  compensated: 'manual',
};

const LABELS: Record<AnyStatus, string> = {
  complete: 'complete',
  error: 'error',
  waiting_retry: 'waiting retry',
  in_progress: 'in progress',
  ready: 'ready',
  pending: 'pending',
  resolved_manually: 'resolved manually',
  skipped: 'skipped',
  cancelled: 'cancelled',
  compensating: 'compensating',
  compensated: 'compensated',
};

export function statusTone(status: string): StatusTone {
  return TONES[status as AnyStatus] ?? 'idle';
}

export function statusLabel(status: string): string {
  return LABELS[status as AnyStatus] ?? status.replaceAll('_', ' ');
}
