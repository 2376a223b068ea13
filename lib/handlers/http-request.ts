import { PermanentError } from '../errors';
import { defineStepHandler, type StepHandlerContext } from './define-step-handler';
import { renderTemplateValues, type TemplateScope } from './render-template-values';

export type HttpRequestConfig = {
  service: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under the service's base URL; may hold `{{ … }}` references, whose values are URL-encoded. */
  path: string;
  /** Any JSON; string values may hold `{{ … }}` references (see render-template-values.ts). */
  body?: unknown;
  /** More request headers (an Authorization, say); values may hold `{{ … }}` references. Stored attempts show secret ones redacted. */
  headers?: Record<string, string>;
  /** Statuses that count as success; by default every 2xx. */
  expect_status?: number[];
  /** A 409 means "already done" for this call, so its body becomes the step's results. */
  treat_conflict_as_success?: boolean;
};

/**
 * Built-in handler `http`: one declarative call to a named service. Without `method`, a call with a
 * body is a POST and one without is a GET. Returns the response body, or `{status}` when it is empty.
 */
export const httpRequest = defineStepHandler<HttpRequestConfig>({
  name: 'http',
  description: 'Calls a named service with a JSON body built from the task context and earlier results.',
  configSchema: {
    type: 'object',
    required: ['service', 'path'],
    additionalProperties: false,
    properties: {
      service: { type: 'string', pattern: '^[a-z0-9_]+$' },
      method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
      path: { type: 'string', pattern: '^/' },
      body: {},
      headers: { type: 'object', propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }, additionalProperties: { type: 'string' } },
      expect_status: {
        type: 'array',
        minItems: 1,
        items: { type: 'integer', minimum: 200, maximum: 599 },
      },
      treat_conflict_as_success: { type: 'boolean' },
    },
  },
  async handle(config, context) {
    const scope = toTemplateScope(context);
    const path = renderTemplateValues(config.path, scope, {
      location: 'handler_config.path',
      encodeInterpolated: encodeURIComponent,
    }) as string;
    const body = config.body === undefined ? undefined : renderTemplateValues(config.body, scope, { location: 'handler_config.body' });
    const method = config.method ?? (body === undefined ? 'GET' : 'POST');
    const headers = config.headers === undefined ? undefined : renderHeaders(config.headers, scope);

    const response = await context.services.call(config.service, path, { method, body, headers });
    const description = `${method} ${config.service} ${path}`;
    if (response.status === 409 && !config.treat_conflict_as_success && !config.expect_status?.includes(409)) {
      throw new PermanentError(`${description} answered 409${describeConflict(response.body)}`, {
        errorCode: 'http_409',
        httpStatus: 409,
      });
    }
    if (config.expect_status && !config.expect_status.includes(response.status) && response.status !== 409) {
      throw new PermanentError(`${description} answered ${response.status}, expected ${config.expect_status.join(' or ')}`, {
        errorCode: 'unexpected_status',
        httpStatus: response.status,
      });
    }
    context.log.info('service answered', { service: config.service, method, path, status: response.status });
    return response.body === undefined ? { status: response.status } : response.body;
  },
});

/** Header values as text: a value that is exactly one reference to a number or an object becomes its JSON. */
function renderHeaders(headers: Record<string, string>, scope: TemplateScope): Record<string, string> {
  const rendered = renderTemplateValues(headers, scope, { location: 'handler_config.headers' }) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(rendered).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
}

function toTemplateScope(context: StepHandlerContext): TemplateScope {
  return {
    context: context.context,
    results: context.results,
    task: context.task,
    step: context.step,
    attempt: context.attempt,
  };
}

function describeConflict(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = body.error;
    if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
      return `: ${error.message}`;
    }
  }
  return '';
}
