import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import {
  actionBodySchema,
  bulkRetryBodySchema,
  circuitActionBodySchema,
  compensateTaskBodySchema,
  createTaskBodySchema,
  createTasksBodySchema,
  createTokenBodySchema,
  editContextBodySchema,
  emptyBodySchema,
  emptyQuerySchema,
  failuresQuerySchema,
  holdServiceBodySchema,
  listTasksQuerySchema,
  releaseServiceBodySchema,
  rerunStepBodySchema,
  resolveStepBodySchema,
  serviceModeBodySchema,
  signInBodySchema,
  skipStepBodySchema,
  templateYamlSchema,
} from '../api/schemas/request-schemas';
import { responseSchemas } from '../api/schemas/response-schemas';
import { freeObject } from '../api/schemas/schema-parts';
import type { Role } from '../auth/roles';
import { splitFilterLists } from './read-query';

/**
 * Every operation of /api/v1, one entry each: the contract. handleRoute takes the role, the path
 * parameters, the query and body schemas from the entry; the OpenAPI document is printed from it; the
 * route tests validate every answer against its response schemas; metrics label requests with its path.
 * The route files are the implementation, each naming its entry.
 *
 * To add a route: write its request and answer schemas in lib/api/schemas/ (and their types in
 * lib/api/types.ts), add its entry here, then the route file: `export const GET = handleRoute(operations.x, …)`.
 */
type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The path parameters of every route: how the document describes them and how the edge reads them. */
export const PATH_PARAMETERS = {
  taskId: { description: 'Task id', schema: { type: 'string', pattern: '^[0-9]+$' }, idOf: 'task' },
  step: { description: "The step's name or id", schema: { type: 'string' } },
  namespace: { description: "The template's namespace", schema: { type: 'string' } },
  name: { description: 'The template or service name', schema: { type: 'string' } },
  version: { description: 'Semantic version', schema: { type: 'string' } },
  tokenId: { description: 'Token id', schema: { type: 'string', pattern: '^[0-9]+$' }, idOf: 'token' },
  bulkActionId: {
    description: 'Bulk action id (bulk_action_id of a bulk retry)',
    schema: { type: 'string', pattern: '^[0-9]+$' },
    idOf: 'bulk action',
  },
} as const;
type PathParameterName = keyof typeof PATH_PARAMETERS;
type IdParameterName = { [K in PathParameterName]: (typeof PATH_PARAMETERS)[K] extends { idOf: string } ? K : never }[PathParameterName];

type ParameterNamesOf<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParameterNamesOf<Rest> : never;
/** The path parameters of a path, as a route sees them: ids parsed to numbers (an id that is not one is a 404 at the edge). */
export type PathParams<P extends string> = { [K in ParameterNamesOf<P>]: K extends IdParameterName ? number : string };

type JsonBodySpec = { mediaType: 'application/json'; schema: object; required: boolean; prepare?: (value: unknown) => unknown };
type YamlBodySpec = { mediaType: 'application/yaml'; schema: typeof templateYamlSchema; required: true };
type AnswerSpec = { description: string; schema?: object; mediaType?: 'text/plain' | 'text/event-stream' };

export type ApiOperationSpec = {
  method: HttpMethod;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Who may call it once ADMIN_TOKEN is set. */
  access: 'public' | Role;
  query?: { type: 'object'; properties: Readonly<Record<string, object>> };
  headers?: readonly { name: string; description: string; schema: object }[];
  body?: JsonBodySpec | YamlBodySpec;
  /** Success statuses with what each answers: JSON of `schema`, or plain text, or an event stream. */
  responses: Record<number, AnswerSpec>;
  /** Error statuses it can answer, besides 401, 403 and 429 (added unless public) and 500; all answer the Error schema. */
  errors: readonly number[];
};
export type ApiOperation = ApiOperationSpec & { operationId: string };

/** What a route's handler is given, read and validated at the edge from its operation's entry. */
export type OperationQuery<O extends ApiOperationSpec> = O['query'] extends infer Q extends JSONSchema ? FromSchema<Q> : undefined;
export type OperationBody<O extends ApiOperationSpec> = O['body'] extends YamlBodySpec
  ? string
  : O['body'] extends { schema: infer S extends JSONSchema }
    ? FromSchema<S>
    : undefined;

const JSON_BODY_ERRORS = [400, 413, 415, 422] as const;

const json = <const S extends object>(schema: S, { optional = false, prepare }: { optional?: boolean; prepare?: (value: unknown) => unknown } = {}) =>
  ({ schema, mediaType: 'application/json', required: !optional, ...(prepare ? { prepare } : {}) }) as const;
const yaml = { schema: templateYamlSchema, mediaType: 'application/yaml', required: true } as const;
const openApiDocumentSchema = freeObject('An OpenAPI 3.1 document.');

const operation = <const O extends ApiOperationSpec>(spec: O): O => spec;

export const operations = {
  getHealth: operation({
    method: 'GET',
    path: '/api/v1/health',
    tag: 'System',
    summary: 'Is the server up, and can it reach its database?',
    access: 'public',
    responses: {
      200: { description: 'Up', schema: responseSchemas.Health },
      503: { description: 'The database cannot be reached', schema: responseSchemas.Health },
    },
    errors: [],
  }),
  getMetrics: operation({
    method: 'GET',
    path: '/api/v1/metrics',
    tag: 'System',
    summary: 'Prometheus metrics',
    description:
      'Tasks by template and status, steps ready and waiting to retry, the oldest ready step, circuit states, attempts by step and outcome with durations, API requests. The database figures are read at most every 4 s and shared by the scrapes in between.',
    access: 'viewer',
    responses: { 200: { description: 'Prometheus text format', mediaType: 'text/plain' } },
    errors: [],
  }),
  getOpenApiDocument: operation({
    method: 'GET',
    path: '/api/v1/openapi.json',
    tag: 'System',
    summary: 'This document',
    access: 'viewer',
    responses: { 200: { description: 'OpenAPI 3.1', schema: openApiDocumentSchema } },
    errors: [],
  }),
  getSession: operation({
    method: 'GET',
    path: '/api/v1/session',
    tag: 'Access',
    summary: 'Who is signed in: local mode, or a token and its role',
    access: 'viewer',
    responses: { 200: { description: 'The caller', schema: responseSchemas.Session } },
    errors: [],
  }),
  signIn: operation({
    method: 'POST',
    path: '/api/v1/session',
    tag: 'Access',
    summary: 'Sign the dashboard in with a token',
    description:
      'Sets an HttpOnly, SameSite=Strict session cookie. Changes made with the cookie must come from the same origin. After 5 failed sign-ins or wrong tokens an address waits (1 s, doubling with each further failure, up to 15 min): 429 with Retry-After.',
    access: 'public',
    body: json(signInBodySchema),
    responses: { 200: { description: 'Signed in', schema: responseSchemas.Session } },
    errors: [...JSON_BODY_ERRORS, 401, 403, 429],
  }),
  signOut: operation({
    method: 'DELETE',
    path: '/api/v1/session',
    tag: 'Access',
    summary: 'Sign out: the session ends and its cookie is cleared',
    access: 'public',
    responses: { 200: { description: 'Signed out', schema: responseSchemas.Session } },
    errors: [403],
  }),
  listTokens: operation({
    method: 'GET',
    path: '/api/v1/tokens',
    tag: 'Access',
    summary: 'Every API token (never its secret)',
    access: 'admin',
    responses: { 200: { description: 'Tokens, active first', schema: responseSchemas.ApiTokenList } },
    errors: [],
  }),
  createToken: operation({
    method: 'POST',
    path: '/api/v1/tokens',
    tag: 'Access',
    summary: 'Create a named token; its secret is shown once. A name is never used twice, revoked tokens included (409)',
    access: 'admin',
    body: json(createTokenBodySchema),
    responses: { 201: { description: 'Created', schema: responseSchemas.CreatedApiToken } },
    errors: [...JSON_BODY_ERRORS, 409],
  }),
  revokeToken: operation({
    method: 'DELETE',
    path: '/api/v1/tokens/{tokenId}',
    tag: 'Access',
    summary: 'Revoke a token (and end the sessions opened with it)',
    access: 'admin',
    responses: { 200: { description: 'Revoked', schema: responseSchemas.ApiTokenInfo } },
    errors: [404, 409],
  }),
  listTemplates: operation({
    method: 'GET',
    path: '/api/v1/templates',
    tag: 'Templates',
    summary: 'Every template, described by its newest version',
    access: 'viewer',
    responses: { 200: { description: 'Templates', schema: responseSchemas.TemplateList } },
    errors: [],
  }),
  saveTemplate: operation({
    method: 'POST',
    path: '/api/v1/templates',
    tag: 'Templates',
    summary: 'Save a new template version',
    description:
      'Versions are immutable: the same content again answers 200; other content under an existing version is a 409. A Tasker template (Rails or tasker-core format) is read as written; `notices` lists what was mapped and what has no effect here.',
    access: 'admin',
    body: yaml,
    responses: {
      201: { description: 'Saved', schema: responseSchemas.SavedTemplateVersion },
      200: { description: 'Already saved with this content', schema: responseSchemas.SavedTemplateVersion },
    },
    errors: [400, 409, 413, 415, 422],
  }),
  validateTemplate: operation({
    method: 'POST',
    path: '/api/v1/templates/validate',
    tag: 'Templates',
    summary: 'Check a template without saving it',
    access: 'viewer',
    body: yaml,
    responses: {
      200: {
        description: 'Every problem with its path and line, the notices (Tasker keys mapped, or with no effect here), and the DAG',
        schema: responseSchemas.TemplateValidationResult,
      },
    },
    errors: [400, 413, 415],
  }),
  listTemplateUsage: operation({
    method: 'GET',
    path: '/api/v1/templates/usage',
    tag: 'Templates',
    summary: 'Per template version: its tasks, and the failure rate of the last day',
    description: 'failure_rate_last_day is the share of the tasks created in the last 24 hours that are in error now; null when none was created.',
    access: 'viewer',
    responses: { 200: { description: 'Usage of every version that has tasks', schema: responseSchemas.TemplateUsageList } },
    errors: [],
  }),
  getTemplate: operation({
    method: 'GET',
    path: '/api/v1/templates/{namespace}/{name}',
    tag: 'Templates',
    summary: "A template's versions and the DAG of the newest",
    access: 'viewer',
    responses: { 200: { description: 'The template', schema: responseSchemas.TemplateDetail } },
    errors: [404],
  }),
  getTemplateVersion: operation({
    method: 'GET',
    path: '/api/v1/templates/{namespace}/{name}/{version}',
    tag: 'Templates',
    summary: 'One version: its YAML, definition and DAG',
    access: 'viewer',
    responses: { 200: { description: 'The version', schema: responseSchemas.TemplateVersionDetail } },
    errors: [404],
  }),
  listTasks: operation({
    method: 'GET',
    path: '/api/v1/tasks',
    tag: 'Tasks',
    summary: 'Tasks matching the filters, newest first, a page at a time',
    access: 'viewer',
    query: listTasksQuerySchema,
    responses: { 200: { description: 'A page', schema: responseSchemas.TaskList } },
    errors: [422],
  }),
  createTask: operation({
    method: 'POST',
    path: '/api/v1/tasks',
    tag: 'Tasks',
    summary: 'Create a task of a template',
    description:
      'Headers: `Idempotency-Key` (as the body field) and `X-Correlation-ID` (passed to every service call). 200 with the existing task when the idempotency key or the identity fields match; 422 at `/idempotency_key` when the key was used for a request with a different namespace, name, version or context (the same identity with other fields still answers 200 with its task).',
    access: 'operator',
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'As `idempotency_key` in the body (give one or both, the same).',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
      {
        name: 'X-Correlation-ID',
        description: "The task's correlation id, sent on to every service call; one is made up when absent.",
        schema: { type: 'string', minLength: 1, maxLength: 200 },
      },
    ],
    body: json(createTaskBodySchema),
    responses: {
      201: { description: 'Created', schema: responseSchemas.TaskDetail },
      200: { description: 'The task these keys already made', schema: responseSchemas.TaskDetail },
    },
    errors: [...JSON_BODY_ERRORS, 404],
  }),
  createTasks: operation({
    method: 'POST',
    path: '/api/v1/tasks/batch',
    tag: 'Tasks',
    summary: 'Create up to 1,000 tasks at once, all or none',
    description:
      'Each item is checked as POST /tasks checks its body. When any item is refused, nothing is created and the 422 lists every problem under `/tasks/<index>` (e.g. `/tasks/3/context/user_info/email`). Otherwise the new tasks, their steps and audit rows are written in one transaction. The items are taken in order, as if sent one after another: an item whose idempotency key or identity fields match an existing task, or an earlier item of the batch, answers that task with `created: false`; a key used for a different request (stored, or an earlier item) is refused. 201 when at least one task was created, 200 when every item answered an existing one. More than 1,000 items: 422 at `/tasks`; a body over 1 MiB: 413.',
    access: 'operator',
    body: json(createTasksBodySchema),
    responses: {
      201: { description: 'Created (some items may answer existing tasks)', schema: responseSchemas.CreatedTasks },
      200: { description: 'Every item answered a task that already existed', schema: responseSchemas.CreatedTasks },
    },
    errors: JSON_BODY_ERRORS,
  }),
  bulkRetryTasks: operation({
    method: 'POST',
    path: '/api/v1/tasks/bulk/retry',
    tag: 'Repair',
    summary: 'Retry many tasks, by filter or ids; dry_run counts first',
    description: 'At most 10,000 tasks per call (`truncated` says when more matched: call again). Each task is retried in its own transaction.',
    access: 'operator',
    body: json(bulkRetryBodySchema, { prepare: splitFilterLists }),
    responses: { 200: { description: 'What was retried (or would be)', schema: responseSchemas.BulkRetryResult } },
    errors: JSON_BODY_ERRORS,
  }),
  getBulkActionProgress: operation({
    method: 'GET',
    path: '/api/v1/bulk-actions/{bulkActionId}',
    tag: 'Repair',
    summary: "Where a bulk action's tasks are now: done, failed, still waiting; and the services holding them back",
    description:
      'The tasks are those the action changed (GET /tasks?bulk_action={id} lists them). `blocked_services`: services their unfinished steps call whose circuit is open or that are held.',
    access: 'viewer',
    responses: { 200: { description: 'The progress', schema: responseSchemas.BulkActionProgress } },
    errors: [404],
  }),
  getTask: operation({
    method: 'GET',
    path: '/api/v1/tasks/{taskId}',
    tag: 'Tasks',
    summary: 'The task with its steps and their dependencies',
    access: 'viewer',
    responses: { 200: { description: 'The task', schema: responseSchemas.TaskDetail } },
    errors: [404],
  }),
  streamTaskEvents: operation({
    method: 'GET',
    path: '/api/v1/tasks/{taskId}/events',
    tag: 'Tasks',
    summary: 'Server-Sent Events: `event: task` with the fresh task whenever it changes',
    description:
      'The first event is sent at once; a comment line every 15 s keeps the connection open. The caller is checked again every 5 s: once its token is revoked or its session ends, `event: unauthorized` (the error shape) is sent and the stream ends.',
    access: 'viewer',
    responses: { 200: { description: 'text/event-stream of TaskDetail', mediaType: 'text/event-stream' } },
    errors: [404],
  }),
  listTaskTransitions: operation({
    method: 'GET',
    path: '/api/v1/tasks/{taskId}/transitions',
    tag: 'Tasks',
    summary: 'The audit trail of the task and its steps',
    access: 'viewer',
    responses: { 200: { description: 'Oldest first', schema: responseSchemas.TransitionList } },
    errors: [404],
  }),
  editTaskContext: operation({
    method: 'PATCH',
    path: '/api/v1/tasks/{taskId}/context',
    tag: 'Repair',
    summary: 'Replace the context of a task in error, then retry its failed steps',
    description: 'Validated against the pinned template version; the change is recorded with its diff. 409 unless the task is in error.',
    access: 'operator',
    body: json(editContextBodySchema),
    responses: { 200: { description: 'The task, retrying', schema: responseSchemas.TaskDetail } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  retryTask: operation({
    method: 'POST',
    path: '/api/v1/tasks/{taskId}/retry',
    tag: 'Repair',
    summary: 'Every error step of the task back to ready',
    access: 'operator',
    body: json(actionBodySchema, { optional: true }),
    responses: { 200: { description: 'The task', schema: responseSchemas.TaskDetail } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  cancelTask: operation({
    method: 'POST',
    path: '/api/v1/tasks/{taskId}/cancel',
    tag: 'Repair',
    summary: 'Cancel the task and its unfinished steps',
    description: 'A running attempt is aborted by its worker shortly after: hence 202.',
    access: 'operator',
    body: json(actionBodySchema, { optional: true }),
    responses: { 202: { description: 'Cancelled', schema: responseSchemas.TaskDetail } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  listStepAttempts: operation({
    method: 'GET',
    path: '/api/v1/tasks/{taskId}/steps/{step}/attempts',
    tag: 'Tasks',
    summary: 'Every attempt of a step',
    access: 'viewer',
    responses: { 200: { description: 'First attempt first', schema: responseSchemas.AttemptList } },
    errors: [404],
  }),
  retryStep: operation({
    method: 'POST',
    path: '/api/v1/tasks/{taskId}/steps/{step}/retry',
    tag: 'Repair',
    summary: 'The step back to ready, with a fresh round of attempts',
    access: 'operator',
    body: json(actionBodySchema, { optional: true }),
    responses: { 200: { description: 'The task', schema: responseSchemas.TaskDetail } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  bulkCancelTasks: operation({
    method: 'POST',
    path: '/api/v1/tasks/bulk/cancel',
    tag: 'Repair',
    summary: 'Cancel many tasks, by filter or ids; dry_run counts first',
    description:
      'The same body as POST /tasks/bulk/retry. At most 10,000 tasks per call (`truncated`: call again). Each task is cancelled in its own transaction; `refused` lists the tasks that were not, with why.',
    access: 'operator',
    body: json(bulkRetryBodySchema, { prepare: splitFilterLists }),
    responses: { 200: { description: 'What was cancelled (or would be)', schema: responseSchemas.BulkActionResult } },
    errors: JSON_BODY_ERRORS,
  }),
  bulkCompensateTasks: operation({
    method: 'POST',
    path: '/api/v1/tasks/bulk/compensate',
    tag: 'Repair',
    summary: 'Compensate many tasks in error or cancelled, by filter or ids; dry_run counts first',
    description:
      'The same body as POST /tasks/bulk/retry; a reason is required unless dry_run. At most 10,000 tasks per call (`truncated`: call again). Each task is compensated in its own transaction, as POST /tasks/{id}/compensate; `steps` counts the steps undone by name; `refused` lists the tasks that were not, with why.',
    access: 'operator',
    body: json(bulkRetryBodySchema, { prepare: splitFilterLists }),
    responses: { 200: { description: 'What is compensated (or would be)', schema: responseSchemas.BulkActionResult } },
    errors: JSON_BODY_ERRORS,
  }),
  compensateTask: operation({
    method: 'POST',
    path: '/api/v1/tasks/{taskId}/compensate',
    tag: 'Repair',
    summary: "Undo the task's completed steps with their declared compensations; dry_run lists them first",
    description:
      'For a task in error or cancelled: each step that is complete (or resolved_manually with results) and declares a `compensation` gets a step of its own, `compensate.<step>`, run after the compensations of the steps that depend on it; the task goes compensating, then compensated. A reason is required unless dry_run. 409 in any other state, or when nothing can be compensated; nothing is written then.',
    access: 'operator',
    body: json(compensateTaskBodySchema, { optional: true }),
    responses: { 200: { description: 'What runs (or would), in order', schema: responseSchemas.CompensateTaskResult } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  rerunStep: operation({
    method: 'POST',
    path: '/api/v1/tasks/{taskId}/steps/{step}/rerun',
    tag: 'Repair',
    summary: 'Run a finished step again, as a new round with a new idempotency key; downstream: its dependents after it',
    description:
      'For a step that is complete, resolved_manually or skipped, in a task that is complete or error. Upstream steps are not touched. 409 when the step or the task is unfinished or running.',
    access: 'operator',
    body: json(rerunStepBodySchema),
    responses: { 200: { description: 'The task', schema: responseSchemas.TaskDetail } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  resolveStep: operation({
    method: 'POST',
    path: '/api/v1/tasks/{taskId}/steps/{step}/resolve',
    tag: 'Repair',
    summary: 'Resolve the step by hand with its results; its dependents run',
    description:
      "A reason is required (422 at `/reason`). When the step's template declares `results_schema`, the results must match it: 422 with each problem at its path under `/results`, nothing written.",
    access: 'operator',
    body: json(resolveStepBodySchema),
    responses: { 200: { description: 'The task', schema: responseSchemas.TaskDetail } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  skipStep: operation({
    method: 'POST',
    path: '/api/v1/tasks/{taskId}/steps/{step}/skip',
    tag: 'Repair',
    summary: 'Skip a step whose template says skippable: true',
    description: 'A reason is required (422 at `/reason` when missing or blank).',
    access: 'operator',
    body: json(skipStepBodySchema),
    responses: { 200: { description: 'The task', schema: responseSchemas.TaskDetail } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  listFailures: operation({
    method: 'GET',
    path: '/api/v1/failures',
    tag: 'Repair',
    summary: 'Failed and stuck tasks, grouped by template, step and error signature',
    description:
      "Each group's `filter` selects exactly it in GET /tasks and POST /tasks/bulk/retry. A step waiting to retry is stuck once it has waited for longer than `stuck_after_seconds` (STUCK_AFTER_SECONDS unless `stuck_after_minutes` is given). Steps waiting on a service (its circuit open, a hold, a rate limit) are in `waiting_groups` at once, not in `groups`.",
    access: 'viewer',
    query: failuresQuerySchema,
    responses: { 200: { description: 'Groups, biggest first', schema: responseSchemas.FailureList } },
    errors: [422],
  }),
  getOverview: operation({
    method: 'GET',
    path: '/api/v1/overview',
    tag: 'Tasks',
    summary: 'What the overview page shows: exact figures of every task',
    description:
      'Tasks by status and by template (the counts GET /metrics shows, read at `counts_read_at`), tasks created per hour over the last 24 UTC hours by template and status, tasks failed (in all, and in the last hour: GET /tasks?failed_after=`failed.last_hour_since` lists them), steps waiting to retry and their tasks, steps waiting on a service (open circuit, hold, rate limit), stuck tasks (a step waiting for longer than `stuck_after_seconds`, STUCK_AFTER_SECONDS, by a clock that circuit probes do not reset), and the oldest stuck task: the oldest in error or stuck. Figures are read at most every 4 s and shared by the callers in between.',
    access: 'viewer',
    query: emptyQuerySchema,
    responses: { 200: { description: 'The figures', schema: responseSchemas.Overview } },
    errors: [422],
  }),
  listServices: operation({
    method: 'GET',
    path: '/api/v1/services',
    tag: 'Services',
    summary: 'Every service: URL, circuit, queued steps, and demo behaviour',
    access: 'viewer',
    responses: { 200: { description: 'Services', schema: responseSchemas.ServiceList } },
    errors: [],
  }),
  setServiceMode: operation({
    method: 'POST',
    path: '/api/v1/services/{name}/mode',
    tag: 'Services',
    summary: 'Make a demo service misbehave (or behave again)',
    access: 'operator',
    body: json(serviceModeBodySchema),
    responses: { 200: { description: 'The service', schema: responseSchemas.ServiceInfo } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  holdService: operation({
    method: 'POST',
    path: '/api/v1/services/{name}/hold',
    tag: 'Services',
    summary: 'Hold a service: none of its steps starts, and none spends an attempt, until it is released',
    description:
      'Shared by every process on the database and kept across restarts; calls already running finish. Audited (who, when, why) in service_hold_events. 409 when the service is held already.',
    access: 'operator',
    body: json(holdServiceBodySchema),
    responses: { 200: { description: 'The service, with its hold', schema: responseSchemas.ServiceInfo } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  releaseService: operation({
    method: 'POST',
    path: '/api/v1/services/{name}/release',
    tag: 'Services',
    summary: "End a service's hold: its waiting steps start again, spread out",
    description: 'Audited (who, when, why) in service_hold_events. 409 when the service is not held.',
    access: 'operator',
    body: json(releaseServiceBodySchema, { optional: true }),
    responses: { 200: { description: 'The service', schema: responseSchemas.ServiceInfo } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  changeServiceCircuit: operation({
    method: 'POST',
    path: '/api/v1/services/{name}/circuit',
    tag: 'Services',
    summary: "Probe now, close or open a service's circuit",
    description:
      "`probe`: an open (or half-open) circuit sends its probe call at the next check, about a second later; `close`: calls go through again and the steps waiting on it start, spread out; `open`: no step of the service starts until a probe call gets an answer after the cool-down (CIRCUIT_COOLDOWN_SECONDS). A reason is required; each action is recorded in the circuit's events with who and why. 409 when the circuit's state makes the action meaningless (probe or close a closed circuit, open an open one); nothing is written then.",
    access: 'operator',
    body: json(circuitActionBodySchema),
    responses: { 200: { description: 'The service, its circuit after the action', schema: responseSchemas.ServiceInfo } },
    errors: [...JSON_BODY_ERRORS, 404, 409],
  }),
  listAlerts: operation({
    method: 'GET',
    path: '/api/v1/alerts',
    tag: 'Services',
    summary: 'The latest alert messages (ALERT_WEBHOOK_URL) and how each was delivered',
    description:
      'The 50 latest messages, newest first: "failing" when a failure group of steps in error appears (at most one per group per ALERT_QUIET_SECONDS), "resolved" when it empties; each POSTed once by one process, retried with backoff while the receiver is down.',
    access: 'viewer',
    query: emptyQuerySchema,
    responses: { 200: { description: 'Alert messages', schema: responseSchemas.AlertDeliveryList } },
    errors: [422],
  }),
  resetServices: operation({
    method: 'POST',
    path: '/api/v1/services/reset',
    tag: 'Services',
    summary: 'Every demo service up, records and counters cleared',
    access: 'operator',
    body: json(emptyBodySchema, { optional: true }),
    responses: { 200: { description: 'Services', schema: responseSchemas.ServiceList } },
    errors: [...JSON_BODY_ERRORS, 409],
  }),
} as const;

/** Every operation, with its operationId (its key above). */
export const API_OPERATIONS: ApiOperation[] = Object.entries(operations).map(([operationId, spec]) => ({ operationId, ...spec }));
