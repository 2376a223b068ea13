/** A template after validation: Tasker's YAML keys (shared/API.md §3) in camelCase, with every default filled in. */

export type RetryBackoff = {
  baseSeconds: number;
  maxSeconds: number;
  jitter: boolean;
  /** Upper bound on a service's `Retry-After`, so a misbehaving service cannot park a step for days. */
  maxRetryAfterSeconds: number;
  /**
   * How long a service may answer "too many requests" (429, or 503 with Retry-After) before those
   * answers count as failed attempts; until then the step waits and spends no attempt.
   */
  maxRateLimitedSeconds: number;
};

export type StepTemplate = {
  name: string;
  description: string | null;
  /** A name in the handler registry (`handler`, or its alias `handler_class`). */
  handler: string;
  /** As written in the template; the handler's schema defaults are applied when the step runs, not here. */
  handlerConfig: Record<string, unknown>;
  /** `handler_config.service`, when it is a string. */
  service: string | null;
  /** `depends_on_steps` and `depends_on_step` together, without repeats, in the order written. */
  dependsOn: string[];
  /** How to undo the step (`compensation`); absent when the template gives none, so such a template keeps its definition and hash. */
  compensation?: CompensationTemplate;
  retryable: boolean;
  /**
   * Total attempts, as in Tasker (`default_retry_limit`). Kept as written even when `retryable` is false;
   * a step that is not retryable gets one attempt whatever this says.
   */
  retryLimit: number;
  /** Per attempt. */
  timeoutSeconds: number;
  skippable: boolean;
  backoff: RetryBackoff;
  /**
   * JSON Schema (draft-07) of the step's results (`results_schema`): an operator's resolve is checked
   * against it. Absent when the template gives none, so such a template keeps its definition and hash.
   */
  resultsSchema?: Record<string, unknown>;
};

/**
 * A step's `compensation`: run, as a step of its own named `compensate.<step>`, when its task is
 * compensated and the step is complete (or resolved_manually). Retried with the backoff of the step it undoes.
 */
export type CompensationTemplate = {
  handler: string;
  handlerConfig: Record<string, unknown>;
  /** `handler_config.service`, when it is a string. */
  service: string | null;
  timeoutSeconds: number;
  retryLimit: number;
  /**
   * `skip_when`: the compensation is not run when the undone step's results hold each of these top-level
   * fields with this value (a step that adopted a record it did not create: `{already_existed: true}`).
   * Absent when not given, so a template without it keeps its definition and hash.
   */
  skipWhen?: Record<string, string | number | boolean | null>;
};

export type TemplateDefinition = {
  namespace: string;
  name: string;
  version: string;
  description: string | null;
  /** JSON Schema (draft-07) of the task's context. */
  schema: Record<string, unknown>;
  /** Dotted context paths (`user_info.email`) that make two requests the same task; empty when none. */
  identityFields: string[];
  /** Tasker's `default_context`: merged under a new task's context (the request's values win); absent when none. */
  defaultContext?: Record<string, unknown>;
  steps: StepTemplate[];
  /** `on_failure`, when given: `compensate` undoes the task's completed steps once a step fails for good; `wait` (the default) leaves it to an operator. */
  onFailure?: 'wait' | 'compensate';
};

export const DEFAULT_NAMESPACE = 'default';

export const TEMPLATE_DEFAULTS = {
  retryable: true,
  retryLimit: 3,
  timeoutSeconds: 30,
  skippable: false,
  backoff: { baseSeconds: 1, maxSeconds: 30, jitter: true, maxRetryAfterSeconds: 300, maxRateLimitedSeconds: 3600 },
} as const satisfies Omit<StepTemplate, 'name' | 'description' | 'handler' | 'handlerConfig' | 'service' | 'dependsOn' | 'resultsSchema'>;

export function createDefaultContextSchema(): Record<string, unknown> {
  return { type: 'object' };
}
