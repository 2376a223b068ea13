/**
 * The state machine (Tasker's names, with `ready` and `waiting_retry` added; shared/API.md §4).
 *
 * Task: pending → in_progress → complete | error | cancelled | resolved_manually.
 *   A task is `in_progress` from its first claimed step. It is `complete` when every step is complete,
 *   resolved_manually, skipped (or cancelled); `error` when some step failed for good and no other step
 *   can run. An `error` task returns to `in_progress` when an operator retries, resolves or skips a step.
 *   complete, cancelled and resolved_manually are final: no action applies to such a task.
 *   The rule that derives a task's status from its step counters is one SQL fragment:
 *   `updateTaskCountersSql` in db/queries/tasks.ts.
 *
 * Step: pending (waiting on dependencies) → ready → in_progress → complete.
 *   A failed attempt goes to `waiting_retry` (with next_attempt_at) or to `error` (permanent error, or
 *   attempts exhausted). A `waiting_retry` step is claimed again once next_attempt_at has passed.
 *   Operators move steps to `ready` again (retry: error or waiting_retry), to `resolved_manually` (with
 *   results) or `skipped` (only skippable steps; both from pending, ready, waiting_retry or error), or to
 *   `cancelled` (with the task). Dependents run once a step is complete, resolved_manually or skipped;
 *   one statement releases them (`releaseDependentsSql` in db/queries/steps.ts).
 *
 * Operator actions on a task (each refused with a conflict when its state does not allow it):
 *   retry task      an open task with a step in error: those steps go to ready.
 *   cancel task     an open task: its unfinished steps and the task go to cancelled.
 *   retry step      error or waiting_retry → ready.
 *   resolve step    pending, ready, waiting_retry or error → resolved_manually.
 *   skip step       the same, for a skippable step → skipped.
 *   edit context    a task in error: the context changes and its steps in error are retried.
 *
 * The lists themselves are in db/statuses.ts (db/ may not import lib/); this file re-exports them.
 */
import {
  FAILED_STEP_STATUSES,
  FINISHED_TASK_STATUSES,
  LIVE_STEP_STATUSES,
  MANUALLY_FINISHABLE_STEP_STATUSES,
  REPAIRED_STEP_STATUSES,
  SATISFIED_STEP_STATUSES,
} from '../db/statuses';

export * from '../db/statuses';

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

function isIn(statuses: readonly string[], status: string | undefined): boolean {
  return status !== undefined && statuses.includes(status);
}

/** Finished for good (complete, cancelled, resolved_manually): nothing runs and no action applies. */
export function isTaskFinished(status: string | undefined): boolean {
  return isIn(FINISHED_TASK_STATUSES, status);
}

/** Only a task in error can have its context edited (its failed steps are then retried). */
export function canEditTaskContext(status: string): boolean {
  return status === 'error';
}

/** An operator finished the step by hand (resolved_manually or skipped): its task was repaired. */
export function isStepRepaired(status: string): boolean {
  return isIn(REPAIRED_STEP_STATUSES, status);
}

/** The step's dependents may run: it is complete, resolved_manually or skipped. */
export function isStepSatisfied(status: string): boolean {
  return isIn(SATISFIED_STEP_STATUSES, status);
}

/** Being worked on, or will be without an operator (ready, in_progress, waiting_retry). */
export function isStepLive(status: string): boolean {
  return isIn(LIVE_STEP_STATUSES, status);
}

/** The step's latest attempt failed, for good (error) or for now (waiting_retry). */
export function isStepFailed(status: string): boolean {
  return isIn(FAILED_STEP_STATUSES, status);
}

/** An operator may put the step back to ready: it is in error or waiting_retry. */
export function canRetryStep(status: string): boolean {
  return isIn(FAILED_STEP_STATUSES, status);
}

/** An operator may resolve the step, or skip it if skippable: it is unfinished and not running. */
export function canFinishStepManually(status: string): boolean {
  return isIn(MANUALLY_FINISHABLE_STEP_STATUSES, status);
}
