import { ALERT_DELIVERY_STATES, ALERT_KINDS, ATTEMPT_OUTCOMES, STEP_KINDS, STEP_STATUSES, TASK_STATUSES } from '../../statuses';
import { SERVICE_WAIT_KINDS, WAITING_REASON_KINDS } from '../../waiting-reasons';
import {
  anyValue,
  arrayOf,
  boolean,
  DEMO_SERVICE_MODES,
  described,
  freeObject,
  id,
  integer,
  nullable,
  nullableId,
  nullableInteger,
  nullableString,
  nullableTime,
  object,
  oneOfValues,
  ROLES,
  string,
  time,
} from './schema-parts';
import { taskFilterSchema } from './task-filter-schema';

/**
 * The JSON Schema of every answer of /api/v1 (shared/API.md §5). lib/api/types.ts reads the types out of
 * them, the OpenAPI document prints them (each schema named in `responseSchemas` becomes a component, and
 * a place that holds the same object refers to it), and the route tests validate every answer with them.
 * Objects refuse keys they do not list: an answer that grows a field must say so here.
 */

const errorDetailSchema = object({ path: string, message: string, line: integer }, { optional: ['line'] });
export const errorSchema = object({ error: object({ code: string, message: string, details: arrayOf(errorDetailSchema) }) });

export const healthSchema = object({
  status: oneOfValues(['ok', 'unavailable']),
  database: oneOfValues(['pglite', 'postgres']),
  orchestrator: oneOfValues(['on', 'off']),
});

export const dagNodeSchema = object({ id: string, label: string, handler: string, service: nullableString });
export const dagEdgeSchema = object({ source: string, target: string });
export const dagSchema = object({ nodes: arrayOf(dagNodeSchema), edges: arrayOf(dagEdgeSchema) });

/** A step's latest failure, as the orchestrator records it. */
export const stepErrorSchema = object(
  {
    class: string,
    message: string,
    code: nullableString,
    http_status: nullableInteger,
    attempt: integer,
    outcome: string,
    at: time,
  },
  { optional: ['code', 'http_status', 'attempt', 'outcome', 'at'] },
);

const taskStatus = oneOfValues(TASK_STATUSES);
const stepStatus = oneOfValues(STEP_STATUSES);

const taskSummaryProperties = {
  id,
  namespace: string,
  name: string,
  version: string,
  status: taskStatus,
  context: freeObject("The task's input."),
  correlation_id: string,
  idempotency_key: nullableString,
  created_by: string,
  created_at: time,
  updated_at: time,
  completed_at: nullableTime,
} as const;

export const taskSummarySchema = object(taskSummaryProperties);

const createdTasksItemSchema = object({
  index: described(integer, "The item's place in the request's tasks, from 0."),
  task: taskSummarySchema,
  created: described(boolean, 'false: an existing task (or an earlier item of the batch) had the idempotency key or identity.'),
});
export const createdTasksSchema = object({ items: arrayOf(createdTasksItemSchema) });

/** Why a step that is not running waits (lib/reads/waiting-reason-sql.ts decides it). */
export const waitingReasonSchema = object(
  {
    kind: described(
      oneOfValues(WAITING_REASON_KINDS),
      "dependencies: steps it depends on are not done; backoff: waiting to retry; circuit_open: its service's circuit is open (until: the next probe call); held: its service is held by an operator; rate_limited: the service said too many requests.",
    ),
    service: described(string, 'The service it waits on (circuit_open, held, rate_limited).'),
    until: described(time, 'When it may go next: the next attempt, or the next probe call of the circuit.'),
    since: described(time, 'Since when it has waited in this round (probes and circuit rounds do not reset it): the clock of STUCK_AFTER_SECONDS.'),
  },
  { optional: ['service', 'until', 'since'] },
);

export const stepSummarySchema = object({
  id,
  name: string,
  handler: string,
  service: nullableString,
  status: stepStatus,
  attempts: described(integer, 'Attempts ever started (the number of the latest attempt).'),
  attempts_this_round: described(integer, 'Attempts counted against retry_limit since the step was last retried by an operator.'),
  retry_limit: integer,
  retryable: boolean,
  skippable: boolean,
  timeout_seconds: integer,
  next_attempt_at: nullableTime,
  started_at: nullableTime,
  completed_at: nullableTime,
  results: anyValue("What the step's handler returned (or an operator resolved it with); null until then."),
  last_error: nullable(stepErrorSchema),
  kind: described(
    oneOfValues(STEP_KINDS),
    'step: a step of the template; compensation: undoes the step named in `compensates` (it is named compensate.<step>).',
  ),
  compensates: described(nullableString, 'For a compensation step, the step it undoes; null otherwise.'),
  rerun_round: described(integer, 'Times an operator re-ran the step (POST …/rerun); each round calls its service with a new idempotency key.'),
  depends_on: arrayOf(string),
  results_schema: described(
    nullable(freeObject('A JSON Schema (draft-07).')),
    "The step template's results_schema: what a resolve's results must match (a 422 with paths otherwise); null when the template declares none.",
  ),
  waiting_reason: described(
    nullable(waitingReasonSchema),
    'Why the step waits; null when it is running, finished, or ready for the next free worker.',
  ),
});

export const taskDetailSchema = object({
  ...taskSummaryProperties,
  revision: {
    type: 'string',
    pattern: '^[0-9]+$',
    description:
      'How many audit rows the task had when it was read: of two reads of a task, the larger is the newer (a client keeps the newer), and equal ones saw the same changes.',
  },
  steps: arrayOf(stepSummarySchema),
});

export const taskListItemSchema = object({
  ...taskSummaryProperties,
  context: freeObject(
    'A preview of the context: at most about 1.5 KB of JSON, strings over 100 characters cut with an ellipsis, objects and arrays deeper than 4 levels or past the size left out. GET /tasks/{id} has the whole context.',
  ),
  context_truncated: described(boolean, 'Whether the preview in `context` left anything out or cut a string.'),
  open_steps: described(
    arrayOf(object({ name: string, status: stepStatus, attempts: integer })),
    'Steps that are not finished, the most urgent first (at most 25).',
  ),
  open_step_count: described(integer, 'Unfinished steps in all.'),
  step_count: described(integer, "The template's steps (compensation steps are not counted)."),
  steps_done: described(integer, 'Of those, complete, resolved_manually or skipped.'),
  steps_undone: described(integer, 'Of those, compensated (undone by their compensation).'),
  repaired_steps: described(
    integer,
    'Steps an operator resolved or skipped: a complete task with any is "completed with repairs" (filter: repaired=true).',
  ),
  waiting_reason: described(
    nullable(object({ ...waitingReasonSchema.properties, step: string }, { optional: ['service', 'until', 'since'] })),
    'For a task in progress with nothing running: why its first waiting step waits (that step named).',
  ),
  last_error: described(
    nullable(object({ step: string, signature: string, message: string, at: nullableTime })),
    "The latest error among the task's unfinished steps: its signature (error code or class, HTTP status, normalised message).",
  ),
});

export const taskListSchema = object({ items: arrayOf(taskListItemSchema), next_cursor: nullableString });

export const transitionSchema = object({
  id,
  task_id: id,
  step_id: nullableId,
  step_name: nullableString,
  from_status: nullableString,
  to_status: string,
  reason: string,
  actor: string,
  attempt: nullableInteger,
  details: anyValue('What else the change recorded (a context edit: its context_changes).'),
  created_at: time,
});
export const transitionListSchema = object({ items: arrayOf(transitionSchema) });

/** Headers by lower-case name; secret ones (Authorization, cookies, names like token or secret) read "[redacted]". */
const recordedHeaders = { type: 'object', additionalProperties: string, description: 'Headers by lower-case name, secrets redacted.' } as const;
const recordedBody = anyValue(
  'The body: JSON as sent or received, with the value of every field named like password, token, card or secret (and REDACT_FIELDS) replaced by "[redacted]"; when its JSON text is over 8192 characters, that text cut there and ending with "… [cut: N more characters]".',
);
const bodyCut = described(boolean, 'Whether the body was cut at 8192 characters.');

export const attemptRequestSchema = object({
  service: string,
  method: string,
  path: described(string, "Under the service's base URL; secret query parameters redacted."),
  headers: recordedHeaders,
  body: recordedBody,
  body_cut: bodyCut,
});
export const attemptResponseSchema = object({ status: integer, headers: recordedHeaders, body: recordedBody, body_cut: bodyCut });
export const attemptLogLineSchema = object({
  at: time,
  level: oneOfValues(['info', 'warn', 'error']),
  message: string,
  fields: anyValue('What the handler logged with the message (secrets redacted; cut at 2000 characters of JSON), or null.'),
});

export const attemptSchema = object({
  number: integer,
  worker_id: string,
  started_at: time,
  finished_at: nullableTime,
  outcome: oneOfValues(ATTEMPT_OUTCOMES),
  error: nullable(object({ class: nullableString, message: nullableString, code: nullableString })),
  http_status: nullableInteger,
  duration_ms: nullableInteger,
  service_calls: described(integer, 'Service calls the attempt made; request and response are the last one.'),
  request: described(nullable(attemptRequestSchema), 'The last service call as sent; null when the attempt called no service.'),
  response: described(nullable(attemptResponseSchema), 'What that call got back; null when no answer came (a timeout, a network error).'),
  logs: described(
    arrayOf(attemptLogLineSchema),
    "The handler's log lines during the attempt, at most 50 (a last line counts the others), messages cut at 1000 characters.",
  ),
});
export const attemptListSchema = object({ items: arrayOf(attemptSchema) });

export const bulkRetryResultSchema = object(
  {
    dry_run: boolean,
    tasks: described(integer, 'Tasks retried (or that would be).'),
    steps: described(arrayOf(object({ name: string, count: integer })), 'Steps moved back to ready (or that would be), by step name.'),
    task_ids: described(arrayOf(id), 'The first 100.'),
    truncated: described(boolean, 'More tasks matched than one call retries (limit); call again for the rest.'),
    limit: integer,
    skipped: described(integer, 'Tasks that matched but had changed by the time their turn came (finished, or nothing left to retry).'),
    bulk_action_id: described(
      id,
      'Not on a dry run: this bulk action, whose tasks GET /tasks?bulk_action={id} lists and GET /bulk-actions/{id} follows (done, failed, still waiting).',
    ),
  },
  { optional: ['skipped', 'bulk_action_id'] },
);

export const compensationPlanEntrySchema = object({
  step: described(string, 'The compensation step (compensate.<step>).'),
  compensates: described(string, 'The step it undoes.'),
  handler: string,
  service: nullableString,
  depends_on: described(arrayOf(string), 'Compensations that finish before it starts: those of the steps that depend on the one it undoes.'),
});

export const compensateTaskResultSchema = object({
  task_id: id,
  dry_run: boolean,
  status: described(taskStatus, "The task's status after (compensating), or as it is for a dry run."),
  compensations: described(arrayOf(compensationPlanEntrySchema), 'What runs (or would), in an order in which they can start.'),
  skipped: described(
    arrayOf(
      object({
        step: described(string, 'The compensation that does not run (compensate.<step>).'),
        compensates: described(string, 'The step kept as it is (complete).'),
        reason: described(string, "Why: the step's results match the compensation's skip_when (it adopted, not created)."),
      }),
    ),
    'Complete steps whose compensation does not run because their results match its skip_when (e.g. already_existed: true); they stay complete.',
  ),
});

export const bulkActionResultSchema = object({
  action: oneOfValues(['retry', 'cancel', 'compensate']),
  dry_run: boolean,
  tasks: described(integer, 'Tasks changed (or that would be).'),
  steps: described(
    arrayOf(object({ name: string, count: integer })),
    'By step name: the steps retried, cancelled, or compensated (the step a compensation undoes), or that would be.',
  ),
  task_ids: described(arrayOf(id), 'The first 100.'),
  truncated: described(boolean, 'More tasks matched than one call changes (limit); call again for the rest.'),
  limit: integer,
  refused: described(
    arrayOf(object({ id, reason: string })),
    'Tasks that matched (or were named) but were refused, each with why (at most 100); the others went on.',
  ),
  refused_count: integer,
});

export const failureGroupSchema = object({
  namespace: string,
  name: string,
  step: string,
  step_status: described(oneOfValues(['error', 'waiting_retry']), 'error: failed for good; waiting_retry: stuck retrying.'),
  signature: described(string, 'Error code or class, HTTP status and normalised message, joined: stable across occurrences.'),
  error_signature: described(string, 'A short key of `signature` (md5 hex): the `error_signature` filter of GET /tasks and bulk retry.'),
  error_class: nullableString,
  error_code: nullableString,
  http_status: nullableInteger,
  message: string,
  count: integer,
  first_seen: time,
  last_seen: time,
  sample_error: nullable(stepErrorSchema),
  sample_task_id: nullableId,
  sample_task_ids: described(arrayOf(id), "Up to 10 of the group's tasks, the most recent failure first."),
  partial_state: described(
    arrayOf(
      object({
        step: string,
        service: nullableString,
        status_counts: { type: 'object', propertyNames: { enum: STEP_STATUSES }, additionalProperties: integer },
      }),
    ),
    "For each step of the template: how many of the group's tasks have it in each status (done: its service holds the data).",
  ),
  filter: { ...taskFilterSchema, description: 'Selects exactly this group in GET /tasks and POST /tasks/bulk/retry.' },
});
export const waitingGroupSchema = object({
  namespace: string,
  name: string,
  step: string,
  service: string,
  kind: described(oneOfValues(SERVICE_WAIT_KINDS), 'What the steps wait on: the circuit, a hold, or a rate limit of the service.'),
  count: described(integer, 'Steps waiting (one per task).'),
  stuck: described(integer, 'Of them, waiting for longer than stuck_after_seconds.'),
  waiting_since: described(time, 'When the longest-waiting of them started waiting in this outage.'),
  until: described(nullableTime, 'The next probe call (circuit_open) or attempt (rate_limited); null while held.'),
  circuit: nullable(object({ state: oneOfValues(['open', 'half_open']), opened_at: nullableTime, next_probe_at: nullableTime })),
  hold: nullable(object({ reason: string, held_by: string, held_at: time })),
  sample_task_id: nullableId,
  sample_task_ids: described(arrayOf(id), "Up to 10 of the group's tasks, the longest-waiting first."),
  partial_state: failureGroupSchema.properties.partial_state,
  filter: { ...taskFilterSchema, description: "Selects this group's tasks in GET /tasks and bulk actions." },
});
export const failureListSchema = object({
  groups: arrayOf(failureGroupSchema),
  waiting_groups: described(
    arrayOf(waitingGroupSchema),
    'Steps waiting on a service (open circuit, hold, rate limit), shown at once, grouped by template, step, service and reason; they are not counted in `groups`.',
  ),
  generated_at: time,
  stuck_after_minutes: described(integer, 'stuck_after_seconds in minutes, rounded up.'),
  stuck_after_seconds: described(
    integer,
    'A step waiting for longer than this is stuck (STUCK_AFTER_SECONDS, or the stuck_after_minutes asked for).',
  ),
});

/** A count per task status. */
const countPerTaskStatus = {
  type: 'object',
  properties: Object.fromEntries(TASK_STATUSES.map((status) => [status, integer])) as { [S in (typeof TASK_STATUSES)[number]]: typeof integer },
  additionalProperties: false,
} as const;
const taskStatusCounts = { ...countPerTaskStatus, description: 'Tasks by status; statuses without tasks are left out.' } as const;
export const templateTaskCountsSchema = object({ namespace: string, name: string, total: integer, by_status: taskStatusCounts });
export const overviewHourSchema = object({
  start: time,
  total: integer,
  by_status: taskStatusCounts,
  by_template: arrayOf(templateTaskCountsSchema),
});
export const overviewStuckTaskSchema = object({
  id,
  namespace: string,
  name: string,
  version: string,
  status: oneOfValues(['error', 'in_progress']),
  created_at: time,
  stuck_since: described(time, 'When it failed, or when its step started waiting (the stuck clock).'),
  step: described(
    nullable(object({ name: string, status: stepStatus })),
    'The step to look at: a failed one, else the one retrying, running or ready.',
  ),
});

/** Every task status with its count, none left out. */
const everyTaskStatusCount = { ...countPerTaskStatus, required: TASK_STATUSES } as const;

/** GET /bulk-actions/{id}: where the tasks of a bulk action are now, and what may hold them back. */
export const bulkActionProgressSchema = object({
  id,
  action: oneOfValues(['retry', 'cancel', 'compensate']),
  actor: string,
  reason: nullableString,
  created_at: time,
  tasks: described(integer, 'Tasks the action changed.'),
  done: described(integer, 'Of them, complete or resolved_manually.'),
  failed: described(integer, 'In error again.'),
  waiting: described(integer, 'Still pending or in progress.'),
  other: described(integer, 'Cancelled, compensating or compensated since.'),
  by_status: everyTaskStatusCount,
  blocked_services: described(
    arrayOf(
      object({
        service: string,
        circuit: oneOfValues(['closed', 'open', 'half_open']),
        next_probe_at: nullableTime,
        held: boolean,
        hold_reason: nullableString,
        waiting_steps: described(integer, "Unfinished steps of the action's tasks that call this service."),
      }),
    ),
    'Services that unfinished steps of these tasks call whose circuit is open (or half open) or that are held: those steps wait until it closes or is released.',
  ),
});

export const overviewSchema = object({
  generated_at: time,
  counts_read_at: described(time, 'When `tasks` was read (the counts GET /metrics shows).'),
  tasks: object({ total: integer, by_status: everyTaskStatusCount, by_template: described(arrayOf(templateTaskCountsSchema), 'Biggest first.') }),
  created_per_hour: object({
    since: described(time, 'Start of the first hour (UTC hours; the current one is the last).'),
    until: time,
    total: integer,
    hours: { type: 'array', minItems: 24, maxItems: 24, items: overviewHourSchema, description: 'Tasks created in each hour, by their status now.' },
  }),
  failed: object({
    tasks: described(integer, 'Tasks in error.'),
    last_hour: described(integer, 'Tasks in error whose (latest) failure is at or after last_hour_since: GET /tasks?failed_after=<last_hour_since>.'),
    last_hour_since: time,
  }),
  waiting_retry: object({ tasks: integer, steps: integer }),
  running: object({ tasks: described(integer, 'Tasks in progress.') }),
  stuck_after_minutes: described(integer, 'stuck_after_seconds in minutes, rounded up.'),
  stuck_after_seconds: described(
    integer,
    'STUCK_AFTER_SECONDS: a step waiting for longer than this (to retry, or behind an open circuit, a hold or a rate limit) makes its task stuck.',
  ),
  stuck: described(object({ tasks: integer, steps: integer }), 'Tasks (and their steps) waiting for longer than stuck_after_seconds.'),
  waiting_on_services: described(
    object({
      tasks: integer,
      steps: integer,
      by_kind: object({ circuit_open: integer, held: integer, rate_limited: integer }),
    }),
    'Steps (ready or waiting to retry) held back by an open circuit, a hold or a rate limit, and their tasks.',
  ),
  oldest_stuck: described(
    nullable(overviewStuckTaskSchema),
    'The oldest task in error, or with a step waiting for longer than stuck_after_seconds, whichever was created first; null when none.',
  ),
});

export const templateListItemSchema = object({
  namespace: string,
  name: string,
  version: string,
  description: nullableString,
  step_count: integer,
  active: boolean,
  versions: described(arrayOf(string), 'Every stored version, newest first.'),
  updated_at: described(time, 'When the newest version was saved.'),
});
export const templateListSchema = object({ items: arrayOf(templateListItemSchema) });

export const templateVersionSummarySchema = object({
  version: string,
  description: nullableString,
  step_count: integer,
  created_at: time,
  created_by: string,
  active: described(boolean, 'The newest version: the one a task gets when it names none.'),
});
export const templateDetailSchema = object({
  namespace: string,
  name: string,
  description: nullableString,
  version: string,
  versions: described(arrayOf(templateVersionSummarySchema), 'Newest first.'),
  dag: dagSchema,
});

const templateVersionDetailProperties = {
  namespace: string,
  name: string,
  version: string,
  description: nullableString,
  yaml: string,
  definition: freeObject('The validated template, every default filled in.'),
  dag: dagSchema,
  created_at: time,
  created_by: string,
  active: described(boolean, 'The newest version: the one a task gets when it names none.'),
} as const;
export const templateVersionDetailSchema = object(templateVersionDetailProperties);
export const savedTemplateVersionSchema = object({
  ...templateVersionDetailProperties,
  created: described(boolean, 'False when this content was saved already (200).'),
  notices: described(arrayOf(errorDetailSchema), 'Tasker keys read, and those accepted that have no effect here, each with its path and YAML line.'),
});

export const templateVersionUsageSchema = object({
  namespace: string,
  name: string,
  version: string,
  tasks: integer,
  tasks_last_day: integer,
  failed_last_day: integer,
  failure_rate_last_day: {
    type: ['number', 'null'],
    minimum: 0,
    maximum: 1,
    description: 'failed_last_day / tasks_last_day; null when the version started no task in the last day.',
  },
});
export const templateUsageListSchema = object({ items: arrayOf(templateVersionUsageSchema) });

export const templateValidationResultSchema = object({
  valid: boolean,
  errors: described(arrayOf(errorDetailSchema), 'Every problem, with its path and YAML line.'),
  notices: described(arrayOf(errorDetailSchema), 'Tasker keys read, and those accepted that have no effect here, each with its path and YAML line.'),
  dag: described(nullable(dagSchema), 'Drawn whenever the steps can be read.'),
});

export const circuitSchema = object({
  state: oneOfValues(['closed', 'open', 'half_open']),
  failures: integer,
  opened_at: nullableTime,
  retry_at: nullableTime,
  last_failure_at: nullableTime,
  last_error: nullableString,
  next_probe_at: described(nullableTime, 'Open or half-open: when the next probe call goes (a half-open circuit always has one).'),
});

/** An operator's hold on a service: none of its steps starts, and none spends an attempt, until it is released. */
const serviceHoldSchema = object({ reason: string, held_by: string, held_at: time });

/** A service's limits across every process (SERVICE_<NAME>_RATE_PER_SECOND, _MAX_CONCURRENCY) and what is in use. */
const serviceLimitsSchema = object({
  rate_per_second: described({ type: ['number', 'null'] }, 'Calls a second, across every process; null: no rate limit.'),
  max_concurrency: described(nullableInteger, 'Calls at once, across every process; null: no concurrency limit.'),
  in_flight: described(integer, 'Calls to the service running now (its steps in progress).'),
  starts_last_second: described(nullableInteger, 'Calls started in the last second, by any process; null without a rate limit.'),
});

export const serviceInfoSchema = object({
  name: string,
  url: nullableString,
  demo: boolean,
  mode: described(oneOfValues([...DEMO_SERVICE_MODES, null] as const), "The demo service's current behaviour; null for a real service."),
  latency_ms: nullableInteger,
  failure_rate: { type: ['number', 'null'] },
  retry_after_seconds: nullableInteger,
  calls: nullableInteger,
  records: nullableInteger,
  circuit: circuitSchema,
  waiting_steps: described(integer, 'Steps ready or waiting to retry for this service.'),
  hold: described(nullable(serviceHoldSchema), 'The operator hold (POST /services/{name}/hold); null when not held.'),
  limits: serviceLimitsSchema,
});
export const serviceListSchema = object({ services: arrayOf(serviceInfoSchema) });

export const sessionSchema = object({
  mode: oneOfValues(['local', 'token']),
  actor: nullableString,
  role: oneOfValues([...ROLES, null] as const),
});

export const apiTokenInfoSchema = object({
  id,
  name: string,
  role: oneOfValues(ROLES),
  created_by: string,
  created_at: time,
  last_used_at: nullableTime,
  revoked_at: nullableTime,
  active: boolean,
});
export const apiTokenListSchema = object({ items: arrayOf(apiTokenInfoSchema) });
export const createdApiTokenSchema = object({ token: apiTokenInfoSchema, secret: described(string, 'Shown this once; only its hash is stored.') });

export const alertDeliverySchema = object({
  id,
  kind: described(oneOfValues(ALERT_KINDS), 'failing: a failure group appeared; resolved: it emptied.'),
  template: described(string, 'namespace/name'),
  namespace: string,
  name: string,
  step: string,
  signature: described(string, "The group's error signature as the Failures view shows it."),
  error_signature: string,
  task_count: described(integer, 'Tasks in the group when the message was queued (0 for resolved).'),
  state: described(
    oneOfValues(ALERT_DELIVERY_STATES),
    'pending: waiting to be sent, or retried at next_attempt_at; sending: being sent now; delivered: the receiver answered 2xx; failed: given up (a 4xx, or not delivered within 24 h).',
  ),
  attempts: integer,
  response_status: described(nullableInteger, "The receiver's HTTP status on the last attempt; null when it did not answer."),
  last_error: described(nullableString, 'Why the last attempt failed (never the webhook URL).'),
  created_at: time,
  next_attempt_at: described(nullableTime, 'While pending: when it is tried next.'),
  delivered_at: nullableTime,
});
export const alertDeliveryListSchema = object({
  enabled: described(boolean, 'Whether this process has ALERT_WEBHOOK_URL (alerts are sent by every process that runs the orchestrator and has it).'),
  receiver: described(nullableString, "The webhook's scheme, host and port; its path and query (the secret) are never shown."),
  quiet_seconds: described(integer, 'ALERT_QUIET_SECONDS: at most one "failing" message per group in this time.'),
  deliveries: arrayOf(alertDeliverySchema),
});

/** The named schemas: the OpenAPI document's components. */
export const responseSchemas = {
  Error: errorSchema,
  Health: healthSchema,
  Dag: dagSchema,
  StepError: stepErrorSchema,
  StepSummary: stepSummarySchema,
  TaskSummary: taskSummarySchema,
  TaskDetail: taskDetailSchema,
  CreatedTasksItem: createdTasksItemSchema,
  CreatedTasks: createdTasksSchema,
  TaskListItem: taskListItemSchema,
  TaskList: taskListSchema,
  TaskFilter: taskFilterSchema,
  Transition: transitionSchema,
  TransitionList: transitionListSchema,
  Attempt: attemptSchema,
  AttemptRequest: attemptRequestSchema,
  AttemptResponse: attemptResponseSchema,
  AttemptLogLine: attemptLogLineSchema,
  AttemptList: attemptListSchema,
  BulkRetryResult: bulkRetryResultSchema,
  BulkActionProgress: bulkActionProgressSchema,
  BulkActionResult: bulkActionResultSchema,
  CompensationPlanEntry: compensationPlanEntrySchema,
  CompensateTaskResult: compensateTaskResultSchema,
  FailureGroup: failureGroupSchema,
  FailureList: failureListSchema,
  WaitingReason: waitingReasonSchema,
  WaitingGroup: waitingGroupSchema,
  Overview: overviewSchema,
  TemplateListItem: templateListItemSchema,
  TemplateList: templateListSchema,
  TemplateDetail: templateDetailSchema,
  TemplateVersionDetail: templateVersionDetailSchema,
  TemplateUsageList: templateUsageListSchema,
  SavedTemplateVersion: savedTemplateVersionSchema,
  TemplateValidationResult: templateValidationResultSchema,
  ServiceHold: serviceHoldSchema,
  ServiceLimits: serviceLimitsSchema,
  ServiceInfo: serviceInfoSchema,
  ServiceList: serviceListSchema,
  AlertDelivery: alertDeliverySchema,
  AlertDeliveryList: alertDeliveryListSchema,
  Session: sessionSchema,
  ApiTokenInfo: apiTokenInfoSchema,
  ApiTokenList: apiTokenListSchema,
  CreatedApiToken: createdApiTokenSchema,
} as const;
