import type { JSONSchemaType } from 'ajv';

/** What one service call reports, so the attempt row can show HTTP status and latency. */
export type ServiceCallRecord = {
  service: string;
  method: string;
  path: string;
  status?: number;
  latencyMs: number;
  /** Numbers the calls of one caller: a call's onSend and onCall records carry the same. */
  callId?: number;
  /** What was sent and what came back, for the attempt's record (redacted and cut there, not here). */
  requestHeaders?: Record<string, string>;
  requestBody?: unknown;
  response?: { headers: Headers; body: unknown };
};

export type ServiceCallOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Overrides the step's idempotency key (e.g. one key per call when a handler makes several). */
  idempotencyKey?: string;
  /**
   * More request headers, such as the service's Authorization. They never replace the JSON,
   * idempotency and correlation headers; the attempt's record shows secret ones as "[redacted]".
   */
  headers?: Record<string, string>;
};

export type ServiceResponse = { status: number; body: unknown; headers: Headers };

/**
 * Calls named services (never URLs). Throws PermanentError or RetryableError as the answer warrants;
 * a 409 is returned to the handler, which decides whether it means "already done".
 */
export type ServiceCaller = {
  call(service: string, path: string, options?: ServiceCallOptions): Promise<ServiceResponse>;
};

export type StepLogger = {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
};

export type StepHandlerContext = {
  /** The task's validated context (input), with schema defaults applied. */
  context: Record<string, unknown>;
  /** Results of every step this one depends on, directly or through other steps, by step name. */
  results: Record<string, unknown>;
  task: { id: string; namespace: string; name: string; version: string };
  step: { id: string; name: string };
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted at the step's timeout, or when the orchestrator stops. */
  signal: AbortSignal;
  /** The same for every attempt of this step, so a service can drop a repeated call. */
  idempotencyKey: string;
  correlationId: string;
  services: ServiceCaller;
  log: StepLogger;
};

export type StepHandler<Config = unknown> = {
  name: string;
  /** Other names a template may give in `handler` or `handler_class`, such as a Tasker step handler class. */
  aliases?: readonly string[];
  description: string;
  /** JSON Schema of `handler_config`; templates are checked against it when they are loaded. */
  configSchema: JSONSchemaType<Config> | Record<string, unknown>;
  /** Returns JSON-serialisable results. Throw PermanentError or RetryableError to classify a failure. */
  handle(config: Config, context: StepHandlerContext): Promise<unknown>;
};

/** Identity function that types a handler's config from its schema. */
export function defineStepHandler<Config>(handler: StepHandler<Config>): StepHandler<Config> {
  return handler;
}
