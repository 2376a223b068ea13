/**
 * The shape of a template's YAML (shared/API.md §3), as written, before defaults. Checks that need more
 * than one key or more than one step (handler vs handler_class, dependencies, cycles, handlers, services)
 * live in validate-template.ts.
 */

export const NAME_PATTERN = '^[a-z0-9_]+$';
const NAME_MAX_LENGTH = 100;
const MAX_SECONDS = 86_400;

type RawRetryBackoff = {
  base_seconds?: number;
  max_seconds?: number;
  jitter?: boolean;
  max_retry_after_seconds?: number;
};

type RawCompensation = {
  handler: string;
  handler_config?: Record<string, unknown>;
  timeout_seconds?: number;
  default_retry_limit?: number;
  skip_when?: Record<string, string | number | boolean | null>;
};

export type RawStepTemplate = {
  name: string;
  description?: string | null;
  handler?: string;
  handler_class?: string;
  handler_config?: Record<string, unknown>;
  compensation?: RawCompensation;
  depends_on_steps?: string[];
  depends_on_step?: string;
  default_retryable?: boolean;
  default_retry_limit?: number;
  timeout_seconds?: number;
  retry_backoff?: RawRetryBackoff;
  max_rate_limited_seconds?: number;
  skippable?: boolean;
  results_schema?: Record<string, unknown>;
};

export type RawTemplate = {
  name: string;
  namespace_name?: string;
  version: string;
  description?: string | null;
  schema?: Record<string, unknown>;
  identity?: { fields: string[] };
  default_context?: Record<string, unknown>;
  on_failure?: 'wait' | 'compensate';
  step_templates: RawStepTemplate[];
};

const name = { type: 'string', minLength: 1, maxLength: NAME_MAX_LENGTH, pattern: NAME_PATTERN };
const description = { type: ['string', 'null'], maxLength: 10_000 };
const seconds = { type: 'number', minimum: 0, maximum: MAX_SECONDS };

const retryBackoffSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    base_seconds: seconds,
    max_seconds: seconds,
    jitter: { type: 'boolean' },
    max_retry_after_seconds: seconds,
  },
};

const stepTemplateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name,
    description,
    handler: { type: 'string', minLength: 1, maxLength: 200 },
    handler_class: { type: 'string', minLength: 1, maxLength: 200 },
    handler_config: { type: 'object' },
    // How to undo the step; validate-template.ts checks its handler and config like a step's.
    compensation: {
      type: 'object',
      additionalProperties: false,
      required: ['handler'],
      properties: {
        handler: { type: 'string', minLength: 1, maxLength: 200 },
        handler_config: { type: 'object' },
        timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600 },
        default_retry_limit: { type: 'integer', minimum: 1, maximum: 100 },
        // Not run when the undone step's results hold each of these fields with this value (e.g. it adopted
        // a record it did not create: `{already_existed: true}`); top-level result fields, JSON scalars.
        skip_when: {
          type: 'object',
          minProperties: 1,
          maxProperties: 20,
          propertyNames: { pattern: '^[A-Za-z0-9_-]+$', maxLength: 100 },
          additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
        },
      },
    },
    depends_on_steps: { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } },
    depends_on_step: { type: 'string', minLength: 1 },
    default_retryable: { type: 'boolean' },
    default_retry_limit: { type: 'integer', minimum: 1, maximum: 100 },
    timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600 },
    retry_backoff: retryBackoffSchema,
    max_rate_limited_seconds: { type: 'number', minimum: 0, maximum: 7 * MAX_SECONDS },
    skippable: { type: 'boolean' },
    // A JSON Schema (draft-07) of the step's results; validate-template.ts checks it is one.
    results_schema: { type: 'object' },
  },
};

export const templateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'step_templates'],
  properties: {
    name,
    namespace_name: name,
    version: { type: 'string', format: 'semver', maxLength: 100 },
    description,
    schema: { type: 'object' },
    identity: {
      type: 'object',
      additionalProperties: false,
      required: ['fields'],
      properties: {
        fields: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { type: 'string', pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' },
        },
      },
    },
    default_context: { type: 'object' },
    on_failure: { enum: ['wait', 'compensate'] },
    step_templates: { type: 'array', minItems: 1, items: stepTemplateSchema },
  },
};
