/**
 * The state machine (Tasker's names, with `ready` and `waiting_retry` added).
 *
 * Task: pending → in_progress → complete | error | cancelled | resolved_manually.
 *   A task is `in_progress` from its first claimed step. It is `complete` when every step is complete,
 *   resolved_manually or skipped; `error` when some step failed for good and no other step can run.
 *   An `error` task returns to `in_progress` when an operator retries, resolves or skips a step.
 *
 * Step: pending (waiting on dependencies) → ready → in_progress → complete.
 *   A failed attempt goes to `waiting_retry` (with next_attempt_at) or to `error` (permanent error, or
 *   attempts exhausted). A `waiting_retry` step is claimed again once next_attempt_at has passed.
 *   Operators move steps to `ready` again (retry), to `resolved_manually` (with results), to `skipped`
 *   (only skippable steps) or to `cancelled` (with the task). Dependents run once a step is
 *   complete, resolved_manually or skipped.
 */
export const TASK_STATUSES = ['pending', 'in_progress', 'complete', 'error', 'cancelled', 'resolved_manually'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const STEP_STATUSES = [
  'pending',
  'ready',
  'in_progress',
  'waiting_retry',
  'complete',
  'error',
  'resolved_manually',
  'skipped',
  'cancelled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const ATTEMPT_OUTCOMES = [
  'running',
  'complete',
  'retryable_error',
  'permanent_error',
  'timeout',
  'worker_lost',
  'interrupted',
  'cancelled',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** Steps whose dependents may run. */
export const STEP_SATISFIED_STATUSES: readonly StepStatus[] = ['complete', 'resolved_manually', 'skipped'];
/** Steps that are being worked on or will be without an operator. */
export const STEP_LIVE_STATUSES: readonly StepStatus[] = ['ready', 'in_progress', 'waiting_retry'];

export function isTerminalTaskStatus(status: TaskStatus | undefined): boolean {
  return status === 'complete' || status === 'cancelled' || status === 'resolved_manually';
}

export function isStepSatisfied(status: StepStatus): boolean {
  return STEP_SATISFIED_STATUSES.includes(status);
}

export function isStepFinished(status: StepStatus): boolean {
  return isStepSatisfied(status) || status === 'cancelled';
}

export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}

export function isStepStatus(value: string): value is StepStatus {
  return (STEP_STATUSES as readonly string[]).includes(value);
}
