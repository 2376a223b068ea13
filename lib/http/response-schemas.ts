import { ROLES } from '../auth/roles';
import { DEMO_SERVICE_MODES } from '../demo/demo-services';
import { ATTEMPT_OUTCOMES, STEP_STATUSES, TASK_STATUSES } from '../statuses';
import { taskFilterSchema } from './request-schemas';

/**
 * JSON Schemas of the answers (lib/api/types.ts in schema form), for the OpenAPI document. Requests are
 * described by request-schemas.ts, which the routes validate with.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const string = { type: 'string' };
const nullableString = { type: ['string', 'null'] };
const time = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const id = { type: 'string', pattern: '^[0-9]+$' };
const integer = { type: 'integer' };
const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
});

const detail = object({ path: string, message: string, line: integer }, ['path', 'message']);

const dag = object({
  nodes: { type: 'array', items: object({ id: string, label: string, handler: string, service: nullableString }) },
  edges: { type: 'array', items: object({ source: string, target: string }) },
});

const stepError = object(
  {
    class: string,
    message: string,
    code: nullableString,
    http_status: { type: ['integer', 'null'] },
    attempt: integer,
    outcome: string,
    at: time,
  },
  ['class', 'message'],
);

const taskSummaryProperties = {
  id,
  namespace: string,
  name: string,
  version: string,
  status: { enum: [...TASK_STATUSES] },
  context: { type: 'object' },
  correlation_id: string,
  idempotency_key: nullableString,
  created_by: string,
  created_at: time,
  updated_at: time,
  completed_at: nullableTime,
};

const stepSummary = object({
  id,
  name: string,
  handler: string,
  service: nullableString,
  status: { enum: [...STEP_STATUSES] },
  attempts: integer,
  attempts_this_round: integer,
  retry_limit: integer,
  retryable: { type: 'boolean' },
  skippable: { type: 'boolean' },
  timeout_seconds: integer,
  next_attempt_at: nullableTime,
  started_at: nullableTime,
  completed_at: nullableTime,
  results: {},
  last_error: { anyOf: [stepError, { type: 'null' }] },
  depends_on: { type: 'array', items: string },
});

const circuit = object(
  {
    state: { enum: ['closed', 'open', 'half_open'] },
    failures: integer,
    opened_at: nullableTime,
    retry_at: nullableTime,
    last_failure_at: nullableTime,
    last_error: nullableString,
  },
  ['state'],
);

const taskStatusCounts = {
  type: 'object',
  propertyNames: { enum: [...TASK_STATUSES] },
  additionalProperties: integer,
  description: 'Tasks by status; statuses without tasks are left out.',
};
const templateTaskCounts = object({ namespace: string, name: string, total: integer, by_status: taskStatusCounts });

const apiTokenInfo = object({
  id,
  name: string,
  role: { enum: [...ROLES] },
  created_by: string,
  created_at: time,
  last_used_at: nullableTime,
  revoked_at: nullableTime,
  active: { type: 'boolean' },
});

const templateVersionDetailProperties = {
  namespace: string,
  name: string,
  version: string,
  description: nullableString,
  yaml: string,
  definition: { type: 'object', description: 'The validated template, every default filled in.' },
  dag: ref('Dag'),
  created_at: time,
  created_by: string,
  active: { type: 'boolean' },
};

export const responseSchemas: Record<string, object> = {
  Error: object({
    error: object({ code: string, message: string, details: { type: 'array', items: detail } }),
  }),
  Health: object({ status: { enum: ['ok', 'unavailable'] }, database: { enum: ['pglite', 'postgres'] }, orchestrator: { enum: ['on', 'off'] } }),
  Dag: dag,
  StepError: stepError,
  StepSummary: stepSummary,
  TaskSummary: object(taskSummaryProperties),
  TaskDetail: object({
    ...taskSummaryProperties,
    revision: {
      type: 'string',
      pattern: '^[0-9]+$',
      description: 'How many audit rows the task had when it was read: of two reads of a task, the larger is the newer (a client keeps the newer), and equal ones saw the same changes.',
    },
    steps: { type: 'array', items: ref('StepSummary') },
  }),
  TaskListItem: object(
    {
      ...taskSummaryProperties,
      context: {
        type: 'object',
        description: 'A preview of the context: at most about 1.5 KB of JSON, strings over 100 characters cut with an ellipsis, objects and arrays deeper than 4 levels or past the size left out. GET /tasks/{id} has the whole context.',
      },
      context_truncated: { type: 'boolean', description: 'Whether the preview in `context` left anything out or cut a string.' },
      open_steps: { type: 'array', items: object({ name: string, status: { enum: [...STEP_STATUSES] }, attempts: integer }) },
      open_step_count: integer,
      step_count: integer,
      steps_done: integer,
    },
    [...Object.keys(taskSummaryProperties), 'context_truncated', 'open_steps', 'step_count', 'steps_done'],
  ),
  TaskList: object({ items: { type: 'array', items: ref('TaskListItem') }, next_cursor: nullableString }),
  Transition: object({
    id,
    task_id: id,
    step_id: { type: ['string', 'null'] },
    step_name: nullableString,
    from_status: nullableString,
    to_status: string,
    reason: string,
    actor: string,
    attempt: { type: ['integer', 'null'] },
    details: {},
    created_at: time,
  }),
  TransitionList: object({ items: { type: 'array', items: ref('Transition') } }),
  Attempt: object({
    number: integer,
    worker_id: string,
    started_at: time,
    finished_at: nullableTime,
    outcome: { enum: [...ATTEMPT_OUTCOMES] },
    error: { anyOf: [object({ class: nullableString, message: nullableString, code: nullableString }), { type: 'null' }] },
    http_status: { type: ['integer', 'null'] },
    duration_ms: { type: ['integer', 'null'] },
  }),
  AttemptList: object({ items: { type: 'array', items: ref('Attempt') } }),
  BulkRetryResult: object(
    {
      dry_run: { type: 'boolean' },
      tasks: { ...integer, description: 'Tasks retried (or that would be).' },
      steps: { type: 'array', items: object({ name: string, count: integer }) },
      task_ids: { type: 'array', items: id, description: 'The first 100.' },
      truncated: { type: 'boolean', description: 'More tasks matched than one call retries (limit); call again for the rest.' },
      limit: integer,
      skipped: integer,
    },
    ['dry_run', 'tasks', 'steps', 'task_ids', 'truncated', 'limit'],
  ),
  FailureGroup: object(
    {
      namespace: string,
      name: string,
      step: string,
      step_status: { enum: ['error', 'waiting_retry'] },
      signature: string,
      error_signature: string,
      error_class: nullableString,
      error_code: nullableString,
      http_status: { type: ['integer', 'null'] },
      message: string,
      count: integer,
      first_seen: time,
      last_seen: time,
      sample_error: { anyOf: [stepError, { type: 'null' }] },
      sample_task_id: { type: ['string', 'null'] },
      sample_task_ids: { type: 'array', items: id },
      partial_state: {
        type: 'array',
        items: object({ step: string, service: nullableString, status_counts: { type: 'object', additionalProperties: integer } }),
      },
      filter: { ...taskFilterSchema, description: 'Selects exactly this group in GET /tasks and POST /tasks/bulk/retry (lists as comma-separated strings).' },
    },
  ),
  FailureList: object({ groups: { type: 'array', items: ref('FailureGroup') }, generated_at: time, stuck_after_minutes: integer }),
  Overview: object({
    generated_at: time,
    counts_read_at: { ...time, description: 'When `tasks` was read (the counts GET /metrics shows).' },
    tasks: object({
      total: integer,
      by_status: object(Object.fromEntries(TASK_STATUSES.map((status) => [status, integer]))),
      by_template: { type: 'array', items: templateTaskCounts, description: 'Biggest first.' },
    }),
    created_per_hour: object({
      since: { ...time, description: 'Start of the first hour (UTC hours; the current one is the last).' },
      until: time,
      total: integer,
      hours: {
        type: 'array',
        minItems: 24,
        maxItems: 24,
        items: object({ start: time, total: integer, by_status: taskStatusCounts, by_template: { type: 'array', items: templateTaskCounts } }),
        description: 'Tasks created in each hour, by their status now.',
      },
    }),
    failed: object({
      tasks: { ...integer, description: 'Tasks in error.' },
      last_hour: { ...integer, description: 'Tasks in error whose (latest) failure is at or after last_hour_since: GET /tasks?failed_after=<last_hour_since>.' },
      last_hour_since: time,
    }),
    waiting_retry: object({ tasks: integer, steps: integer }),
    running: object({ tasks: { ...integer, description: 'Tasks in progress.' } }),
    stuck_after_minutes: integer,
    oldest_stuck: {
      anyOf: [
        object({
          id,
          namespace: string,
          name: string,
          version: string,
          status: { enum: ['error', 'in_progress'] },
          created_at: time,
          stuck_since: { ...time, description: 'When the task last changed.' },
          step: { anyOf: [object({ name: string, status: { enum: [...STEP_STATUSES] } }), { type: 'null' }] },
        }),
        { type: 'null' },
      ],
      description: 'The oldest task in error, or in progress without change for stuck_after_minutes, whichever was created first; null when none.',
    },
  }),
  TemplateListItem: object({
    namespace: string,
    name: string,
    version: string,
    description: nullableString,
    step_count: integer,
    active: { type: 'boolean' },
    versions: { type: 'array', items: string },
    updated_at: time,
  }),
  TemplateList: object({ items: { type: 'array', items: ref('TemplateListItem') } }),
  TemplateDetail: object({
    namespace: string,
    name: string,
    description: nullableString,
    version: string,
    versions: {
      type: 'array',
      items: object({ version: string, description: nullableString, step_count: integer, created_at: time, created_by: string, active: { type: 'boolean' } }),
    },
    dag: ref('Dag'),
  }),
  TemplateVersionDetail: object(templateVersionDetailProperties),
  TemplateUsageList: object({
    items: {
      type: 'array',
      items: object({
        namespace: string,
        name: string,
        version: string,
        tasks: integer,
        tasks_last_day: integer,
        failed_last_day: integer,
        failure_rate_last_day: { type: ['number', 'null'], minimum: 0, maximum: 1 },
      }),
    },
  }),
  SavedTemplateVersion: object({ ...templateVersionDetailProperties, created: { type: 'boolean' } }),
  TemplateValidationResult: object({
    valid: { type: 'boolean' },
    errors: { type: 'array', items: detail },
    dag: { anyOf: [ref('Dag'), { type: 'null' }] },
  }),
  ServiceInfo: object(
    {
      name: string,
      url: nullableString,
      demo: { type: 'boolean' },
      mode: { enum: [...DEMO_SERVICE_MODES, null] },
      latency_ms: { type: ['integer', 'null'] },
      failure_rate: { type: ['number', 'null'] },
      retry_after_seconds: { type: ['integer', 'null'] },
      calls: { type: ['integer', 'null'] },
      records: { type: ['integer', 'null'] },
      circuit,
      waiting_steps: integer,
    },
    ['name', 'url', 'demo', 'mode', 'circuit'],
  ),
  ServiceList: object({ services: { type: 'array', items: ref('ServiceInfo') } }),
  Session: object({ mode: { enum: ['local', 'token'] }, actor: nullableString, role: { enum: [...ROLES, null] } }),
  ApiTokenInfo: apiTokenInfo,
  ApiTokenList: object({ items: { type: 'array', items: ref('ApiTokenInfo') } }),
  CreatedApiToken: object({ token: ref('ApiTokenInfo'), secret: { type: 'string', description: 'Shown this once.' } }),
};
