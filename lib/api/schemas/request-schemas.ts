import { anyValue, DEMO_SERVICE_MODES, freeObject, ROLES } from './schema-parts';
import { name, taskFilterSchema } from './task-filter-schema';

/**
 * The JSON Schemas of every request body and query string. The routes validate with them (through
 * lib/http/api-operations.ts), the OpenAPI document prints them and lib/api/types.ts reads its types
 * out of them.
 */

/** The most tasks one bulk retry touches; a larger set is retried in several calls. */
const BULK_RETRY_LIMIT = 10_000;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
/** Some character that is not white space (lib/validation.ts words its refusal: "must not be blank"). */
const NOT_BLANK_PATTERN = '\\S';

const reason = { type: 'string', minLength: 1, maxLength: 1000, description: 'Why; recorded in the audit trail.' } as const;
const taskId = { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } as const;

export const listTasksQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...taskFilterSchema.properties,
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Page size (at most 500).` },
    cursor: { type: 'string', minLength: 1, maxLength: 200, description: 'next_cursor of the previous page.' },
  },
} as const;

export const createTaskBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'context'],
  properties: {
    namespace: { ...name, default: 'default' },
    name,
    version: { type: 'string', format: 'semver', maxLength: 100, description: 'Omitted: the newest version.' },
    context: freeObject("The task's input, validated against the template's schema."),
    idempotency_key: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'A second request with the same key returns the first task (the Idempotency-Key header does the same).',
    },
  },
} as const;

/** The most tasks one POST /tasks/batch creates. */
export const MAX_BATCH_TASKS = 1000;

export const createTasksBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tasks'],
  properties: {
    tasks: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH_TASKS,
      items: createTaskBodySchema,
      description: 'Each as the body of POST /tasks (the Idempotency-Key header does not apply: give each its own idempotency_key).',
    },
  },
} as const;

export const actionBodySchema = { type: 'object', additionalProperties: false, properties: { reason } } as const;

/** A reason an action cannot go without (resolve, skip): not empty, not only blanks. */
const requiredReason = {
  type: 'string',
  maxLength: 1000,
  pattern: NOT_BLANK_PATTERN,
  description: 'Why; required, recorded in the audit trail.',
} as const;

export const resolveStepBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['results', 'reason'],
  properties: {
    results: anyValue(
      "The step's results, as its handler would have returned them; its dependents receive them. Checked against the step's results_schema when its template declares one.",
    ),
    reason: requiredReason,
  },
} as const;

export const compensateTaskBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: { ...requiredReason, description: 'Why; required unless dry_run, recorded in the audit trail.' },
    dry_run: { type: 'boolean', default: false, description: 'List the compensations that would run, in order; change nothing.' },
  },
} as const;

export const rerunStepBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: {
    reason: requiredReason,
    downstream: { type: 'boolean', default: false, description: 'Run every step that depends on it (directly or not) again after it.' },
  },
} as const;

export const skipStepBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: requiredReason },
} as const;

export const editContextBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['context', 'reason'],
  properties: { context: freeObject('The whole new context.'), reason },
} as const;

export const bulkRetryBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: { ...taskFilterSchema, description: 'The filters of GET /tasks; give this or `ids`. A list may also be one comma-separated string.' },
    ids: {
      type: 'array',
      minItems: 1,
      maxItems: BULK_RETRY_LIMIT,
      uniqueItems: true,
      items: taskId,
      description: 'Task ids; give this or `filter`.',
    },
    dry_run: { type: 'boolean', default: false, description: 'Count what would be retried; change nothing.' },
    reason,
  },
} as const;

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
      description:
        'A step waiting (to retry, or on its service) counts as stuck once it has waited this long in this round; default: STUCK_AFTER_SECONDS, as on every page.',
    },
  },
} as const;

/** GET /overview takes no parameters: anything in its query string is refused rather than ignored. */
export const emptyQuerySchema = { type: 'object', additionalProperties: false, properties: {} } as const;

export const createTokenBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]*$',
      description: 'Recorded as the actor of what the token does.',
    },
    role: { enum: ROLES },
  },
} as const;

export const signInBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

/** POST /services/{name}/hold: why, shown with the hold and kept in its audit trail. */
export const holdServiceBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { ...reason, description: 'Why the service is held (e.g. "billing deploy"); shown with the hold and audited.' } },
} as const;

/** POST /services/{name}/release: why, optional, kept in the audit trail. */
export const releaseServiceBodySchema = { type: 'object', additionalProperties: false, properties: { reason } } as const;

export const serviceModeBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mode'],
  properties: {
    mode: { enum: DEMO_SERVICE_MODES },
    latency_ms: { type: 'integer', minimum: 0, maximum: 600_000 },
    failure_rate: { type: 'number', minimum: 0, maximum: 1 },
    retry_after_seconds: { type: 'integer', minimum: 0, maximum: 86_400 },
    seed: { type: 'integer', minimum: 0, maximum: 4_294_967_295 },
  },
} as const;

export const circuitActionBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'reason'],
  properties: {
    action: {
      enum: ['probe', 'close', 'open'],
      description:
        'probe: an open circuit sends its probe call now; close: calls go through again and the waiting steps start, spread out; open: no call until a probe succeeds after the cool-down.',
    },
    reason: requiredReason,
  },
} as const;

export const emptyBodySchema = { type: 'object', additionalProperties: false, properties: {} } as const;

/** A template (shared/API.md §3) as YAML: the body of POST /templates and POST /templates/validate. */
export const templateYamlSchema = { type: 'string', description: 'A template (shared/API.md §3), YAML.' } as const;
