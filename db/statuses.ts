/**
 * The status lists of tasks and steps, each written once. lib/statuses.ts describes the state machine,
 * re-exports these lists and holds the predicates built on them; they live here because db/ may not
 * import lib/, and the schema's checks and the SQL builders need them too. Plain data: client code
 * reaches it through lib/statuses.ts.
 */

export const TASK_STATUSES = [
  'pending',
  'in_progress',
  'complete',
  'error',
  'cancelled',
  'resolved_manually',
  'compensating',
  'compensated',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Tasks whose status their step counters still decide; every operator action applies to them. */
export const OPEN_TASK_STATUSES = ['pending', 'in_progress', 'error', 'compensating'] as const satisfies readonly TaskStatus[];
/** Tasks finished for good: no step of theirs runs again and no operator action applies (but compensate and re-run, see lib/statuses.ts). */
export const FINISHED_TASK_STATUSES = ['complete', 'cancelled', 'resolved_manually', 'compensated'] as const satisfies readonly TaskStatus[];
/** Tasks whose completed steps an operator may undo (POST /tasks/{id}/compensate). */
export const COMPENSABLE_TASK_STATUSES = ['error', 'cancelled'] as const satisfies readonly TaskStatus[];
/** Tasks one of whose finished steps an operator may run again (POST /tasks/{id}/steps/{step}/rerun). */
export const RERUNNABLE_TASK_STATUSES = ['complete', 'error'] as const satisfies readonly TaskStatus[];

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
  'compensated',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Steps whose dependents may run. */
export const SATISFIED_STEP_STATUSES = ['complete', 'resolved_manually', 'skipped'] as const satisfies readonly StepStatus[];
/** Steps that are done: satisfied, or cancelled with their task. tasks.unfinished_steps counts the others. */
export const FINISHED_STEP_STATUSES = [...SATISFIED_STEP_STATUSES, 'cancelled', 'compensated'] as const satisfies readonly StepStatus[];
/** Steps whose compensation may run: complete, or resolved_manually (with results). */
export const COMPENSABLE_STEP_STATUSES = ['complete', 'resolved_manually'] as const satisfies readonly StepStatus[];
/** What a step row is: a step of the template, or the compensation of one (`compensates_step_id`). */
export const STEP_KINDS = ['step', 'compensation'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
/** Steps not done, in the order an operator looks at them: failed, retrying, running, queued, waiting on dependencies. */
export const UNFINISHED_STEP_STATUSES = ['error', 'waiting_retry', 'in_progress', 'ready', 'pending'] as const satisfies readonly StepStatus[];
/** Steps being worked on, or that will be without an operator. tasks.live_steps counts them. */
export const LIVE_STEP_STATUSES = ['ready', 'in_progress', 'waiting_retry'] as const satisfies readonly StepStatus[];
/** Steps the orchestrator claims: ready ones, and waiting_retry ones whose run_at has passed. */
export const CLAIMABLE_STEP_STATUSES = ['ready', 'waiting_retry'] as const satisfies readonly StepStatus[];
/** Steps whose latest attempt failed, for good or for now; an operator may retry them. */
export const FAILED_STEP_STATUSES = ['error', 'waiting_retry'] as const satisfies readonly StepStatus[];
/** Steps an operator finished by hand: a task that has one was repaired ("completed with repairs", GET /tasks?repaired=true). */
export const REPAIRED_STEP_STATUSES = ['resolved_manually', 'skipped'] as const satisfies readonly StepStatus[];
/** Steps an operator may resolve, or skip where skippable: unfinished and not running. */
export const MANUALLY_FINISHABLE_STEP_STATUSES = ['pending', 'ready', 'waiting_retry', 'error'] as const satisfies readonly StepStatus[];

/** What an alert message says of a failure group: it is failing (it appeared), or it is resolved (it emptied). */
export const ALERT_KINDS = ['failing', 'resolved'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
/** An alert message: waiting to be sent (or retried), being sent under a lease, delivered, or given up. */
export const ALERT_DELIVERY_STATES = ['pending', 'sending', 'delivered', 'failed'] as const;
