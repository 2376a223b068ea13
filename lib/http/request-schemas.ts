import { ROLES, type Role } from '../auth/roles';
import { DEMO_SERVICE_MODES, type DemoServiceMode } from '../demo/demo-services';
import { STEP_STATUSES, TASK_STATUSES } from '../statuses';
import { NAME_PATTERN } from '../templates/template-schema';
import { compileSchema, TIMESTAMP_PATTERN } from '../validation';
import type { TaskFilter } from '../reads/task-filter-sql';

/**
 * The JSON Schemas of every request body and query string. Routes validate with the compiled functions
 * below and the OpenAPI document (openapi-document.ts) prints these same objects, so the two cannot drift.
 */

/** The most tasks one bulk retry touches; a larger set is retried in several calls. */
export const BULK_RETRY_LIMIT = 10_000;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

const name = { type: 'string', minLength: 1, maxLength: 100, pattern: NAME_PATTERN };
const reason = { type: 'string', minLength: 1, maxLength: 1000, description: 'Why; recorded in the audit trail.' };
/** A date (taken as midnight UTC) or a date-time with an optional zone (UTC when absent). */
const timestamp = {
  type: 'string',
  maxLength: 40,
  pattern: TIMESTAMP_PATTERN,
  description: 'ISO 8601 date or date-time; UTC unless a zone is given.',
};
const taskId = { type: 'string', pattern: '^[1-9][0-9]{0,14}$' };

/** The filters of GET /tasks, shared with bulk retry's `filter`. Lists may also be given comma-separated. */
const taskFilterProperties = {
  status: { type: 'array', maxItems: TASK_STATUSES.length, uniqueItems: true, items: { enum: [...TASK_STATUSES] }, description: 'Task statuses (any of).' },
  namespace: { ...name, description: "The template's namespace." },
  name: { ...name, description: "The template's name." },
  step: { ...name, description: 'Tasks having a step of this name (with step_status: in that status).' },
  step_status: {
    type: 'array',
    maxItems: STEP_STATUSES.length,
    uniqueItems: true,
    items: { enum: [...STEP_STATUSES] },
    description: 'Tasks having a step (named `step`, when given) in one of these statuses.',
  },
  error_signature: {
    type: 'string',
    pattern: '^[0-9a-f]{32}$',
    description: 'Tasks having a failing step with this error signature (a failure group of GET /failures).',
  },
  q: { type: 'string', minLength: 1, maxLength: 200, description: 'Text inside the context, such as an e-mail address (case-insensitive).' },
  created_after: { ...timestamp, description: 'Created at or after this time.' },
  created_before: { ...timestamp, description: 'Created before this time.' },
  failed_after: { ...timestamp, description: 'Tasks in error having a step that failed for good at or after this time.' },
  retrying_before: {
    ...timestamp,
    description: 'Tasks having a step waiting to retry whose current round of attempts began before this time (stuck); a stuck group of GET /failures names its cut-off here.',
  },
} as const;


export const taskFilterSchema = { type: 'object', additionalProperties: false, properties: taskFilterProperties };

export const listTasksQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...taskFilterProperties,
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Page size (at most ${MAX_PAGE_SIZE}).` },
    cursor: { type: 'string', minLength: 1, maxLength: 200, description: 'next_cursor of the previous page.' },
  },
};
export type ListTasksQuery = TaskFilter & { limit: number; cursor?: string };

export const createTaskBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'context'],
  properties: {
    namespace: { ...name, default: 'default' },
    name,
    version: { type: 'string', format: 'semver', maxLength: 100, description: 'Omitted: the newest version.' },
    context: { type: 'object', description: "The task's input, validated against the template's schema." },
    idempotency_key: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'A second request with the same key returns the first task (the Idempotency-Key header does the same).',
    },
  },
};
export type CreateTaskBody = { namespace: string; name: string; version?: string; context: Record<string, unknown>; idempotency_key?: string };

export const actionBodySchema = { type: 'object', additionalProperties: false, properties: { reason } };
export type ActionBody = { reason?: string };

export const resolveStepBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['results'],
  properties: { results: { description: "The step's results, as its handler would have returned them; its dependents receive them." }, reason },
};
export type ResolveStepBody = { results: unknown; reason?: string };

export const editContextBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['context', 'reason'],
  properties: { context: { type: 'object', description: 'The whole new context.' }, reason },
};
export type EditContextBody = { context: Record<string, unknown>; reason: string };

export const bulkRetryBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: { ...taskFilterSchema, description: 'The filters of GET /tasks; give this or `ids`.' },
    ids: { type: 'array', minItems: 1, maxItems: BULK_RETRY_LIMIT, uniqueItems: true, items: taskId, description: 'Task ids; give this or `filter`.' },
    dry_run: { type: 'boolean', default: false, description: 'Count what would be retried; change nothing.' },
    reason,
  },
};
export type BulkRetryBody = { filter?: TaskFilter; ids?: string[]; dry_run: boolean; reason?: string };

export const failuresQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    namespace: name,
    name,
    stuck_after_minutes: {
      type: 'integer',
      minimum: 1,
      maximum: 10_080,
      default: 10,
      description: 'A waiting_retry step counts as stuck once its first failure in this round is older than this.',
    },
  },
};
export type FailuresQuery = { namespace?: string; name?: string; stuck_after_minutes: number };

/** GET /overview takes no parameters: anything in its query string is refused rather than ignored. */
export const overviewQuerySchema = { type: 'object', additionalProperties: false, properties: {} };

export const createTokenBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]*$', description: 'Recorded as the actor of what the token does.' },
    role: { enum: [...ROLES] },
  },
};
export type CreateTokenBody = { name: string; role: Role };

export const signInBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 500 } },
};
export type SignInBody = { token: string };

export const serviceModeBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mode'],
  properties: {
    mode: { enum: [...DEMO_SERVICE_MODES] },
    latency_ms: { type: 'integer', minimum: 0, maximum: 600_000 },
    failure_rate: { type: 'number', minimum: 0, maximum: 1 },
    retry_after_seconds: { type: 'integer', minimum: 0, maximum: 86_400 },
    seed: { type: 'integer', minimum: 0, maximum: 4_294_967_295 },
  },
};
export type ServiceModeBody = { mode: DemoServiceMode; latency_ms?: number; failure_rate?: number; retry_after_seconds?: number; seed?: number };

export const emptyBodySchema = { type: 'object', additionalProperties: false, properties: {} };

export const validateListTasksQuery = compileSchema<ListTasksQuery>(listTasksQuerySchema);
export const validateCreateTaskBody = compileSchema<CreateTaskBody>(createTaskBodySchema);
export const validateActionBody = compileSchema<ActionBody>(actionBodySchema);
export const validateResolveStepBody = compileSchema<ResolveStepBody>(resolveStepBodySchema);
export const validateEditContextBody = compileSchema<EditContextBody>(editContextBodySchema);
export const validateBulkRetryBody = compileSchema<BulkRetryBody>(bulkRetryBodySchema);
export const validateFailuresQuery = compileSchema<FailuresQuery>(failuresQuerySchema);
export const validateOverviewQuery = compileSchema<Record<string, never>>(overviewQuerySchema);
export const validateCreateTokenBody = compileSchema<CreateTokenBody>(createTokenBodySchema);
export const validateSignInBody = compileSchema<SignInBody>(signInBodySchema);
export const validateServiceModeBody = compileSchema<ServiceModeBody>(serviceModeBodySchema);
export const validateEmptyBody = compileSchema<Record<string, never>>(emptyBodySchema);
