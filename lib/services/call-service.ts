import { isRecord } from '../api/is-record';
import { PermanentError, RetryableError } from '../errors';
import type { ServiceCaller, ServiceCallOptions, ServiceCallRecord, ServiceResponse } from '../handlers/define-step-handler';
import { cutText } from '../storable-text';

export type CreateServiceCallerOptions = {
  /** Base URL per service name, from resolveServiceUrls. */
  urls: Record<string, string>;
  /** The step's key; a call may override it with `options.idempotencyKey`. */
  idempotencyKey: string;
  correlationId: string;
  /** The step's signal: aborted at its timeout or when the orchestrator stops. */
  signal: AbortSignal;
  /** Told about every call, answered or not, so the attempt can show status and latency. */
  onCall?: (record: ServiceCallRecord) => void;
  /** Told about every call as it is sent (the same `callId` as its onCall), so a call cut short by a timeout is still shown. */
  onSend?: (record: ServiceCallRecord) => void;
  fetchImpl?: typeof fetch;
};

/** The headers every call sends; a call's own headers never replace them. */
const OWN_HEADERS = new Set(['accept', 'content-type', 'idempotency-key', 'x-correlation-id']);

/** Statuses that mean "try again later": the service said so, or could not answer in time. */
const RETRY_AFTER_STATUSES = new Set([429, 503]);

/**
 * Tasker's API request concern: JSON in and out, the idempotency and correlation headers on every
 * call, and each answer classified so the orchestrator knows whether another attempt can help.
 */
export function createServiceCaller({
  urls,
  idempotencyKey,
  correlationId,
  signal,
  onCall,
  onSend,
  fetchImpl = fetch,
}: CreateServiceCallerOptions): ServiceCaller {
  let callCount = 0;
  return {
    async call(service: string, path: string, options: ServiceCallOptions = {}): Promise<ServiceResponse> {
      const baseUrl = urls[service];
      if (baseUrl === undefined) {
        throw new PermanentError(`Unknown service "${service}"; known services: ${Object.keys(urls).join(', ')}`, {
          errorCode: 'unknown_service',
        });
      }
      const url = buildServiceUrl(baseUrl, service, path);
      const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
      if (method === 'GET' && options.body !== undefined) {
        throw new PermanentError(`A GET to ${service} ${path} cannot have a body`, { errorCode: 'invalid_service_call' });
      }
      const description = `${method} ${service} ${path}`;
      if (signal.aborted) {
        throw new RetryableError(`${description} was not sent: the step was aborted (timeout or shutdown)`, {
          errorCode: 'timeout',
          cause: signal.reason,
        });
      }

      const startedAt = performance.now();
      const headers: Record<string, string> = {
        ...Object.fromEntries(Object.entries(options.headers ?? {}).filter(([name]) => !OWN_HEADERS.has(name.toLowerCase()))),
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'Idempotency-Key': options.idempotencyKey ?? idempotencyKey,
        'X-Correlation-ID': correlationId,
      };
      callCount += 1;
      const sent = { service, method, path, callId: callCount, requestHeaders: headers, requestBody: options.body };
      const report = (answer?: { status: number; headers: Headers; body: unknown }) =>
        onCall?.({
          ...sent,
          status: answer?.status,
          latencyMs: Math.round(performance.now() - startedAt),
          response: answer && { headers: answer.headers, body: answer.body },
        });
      onSend?.({ ...sent, latencyMs: 0 });

      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(url, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal,
          // A redirect could lead away from the service's base URL, so it is an answer, not a detour.
          redirect: 'manual',
        });
        text = await response.text();
      } catch (error) {
        report();
        if (signal.aborted) {
          throw new RetryableError(`${description} was aborted (timeout or shutdown) before the service answered`, {
            errorCode: 'timeout',
            cause: error,
          });
        }
        throw new RetryableError(`${description} failed: ${describeNetworkError(error)}`, {
          errorCode: 'network_error',
          cause: error,
        });
      }
      const body = parseBody(text);
      report({ status: response.status, headers: response.headers, body });

      const { status } = response;
      if ((status >= 200 && status < 300) || status === 409) {
        return { status, body, headers: response.headers };
      }
      const message = `${description} answered ${status}${describeServiceError(body)}`;
      const errorCode = `http_${status}`;
      if (RETRY_AFTER_STATUSES.has(status)) {
        const retryAfterSeconds = parseRetryAfter(response.headers.get('Retry-After'));
        throw new RetryableError(message, { errorCode, httpStatus: status, retryAfterSeconds });
      }
      if (status === 408 || status >= 500) {
        throw new RetryableError(message, { errorCode, httpStatus: status });
      }
      throw new PermanentError(message, { errorCode, httpStatus: status });
    },
  };
}

/**
 * Appends `path` to the service's base URL and checks, with the URL parser rather than string tests
 * alone, that the result is still under that base URL: a template names a service, never a host.
 */
function buildServiceUrl(baseUrl: string, service: string, path: string): URL {
  const refuse = (reason: string) =>
    new PermanentError(`Path "${path}" for service ${service} is refused: ${reason}`, { errorCode: 'invalid_service_path' });
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw refuse('it must start with a single "/"');
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (path.includes('\\') || /[\u0000-\u001f\u007f]/.test(path)) {
    throw refuse('it contains a backslash or a control character');
  }
  if (/\.\.|%2e%2e|\.%2e|%2e\./i.test(path)) {
    throw refuse('it contains ".."');
  }
  if (path.includes('://')) {
    throw refuse('it contains a scheme');
  }
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const url = new URL(`${base.origin}${basePath}${path}`);
  if (url.origin !== base.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) {
    throw refuse("it leads outside the service's base URL");
  }
  return url;
}

/** JSON when the body is JSON, the text otherwise, undefined when empty. */
function parseBody(text: string): unknown {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The service's own explanation, from `{error: {message}}`, `{error: "..."}`, `{message}` or plain text. */
function describeServiceError(body: unknown): string {
  let message: unknown;
  if (typeof body === 'string') {
    message = cutText(body, 500);
  } else if (isRecord(body)) {
    const error = body.error;
    message = isRecord(error) ? (error.message ?? error.code) : (error ?? body.message);
    const details = isRecord(error) && Array.isArray(error.details) ? error.details.filter(isRecord) : [];
    const described = details
      .slice(0, 5)
      .map((detail) => [detail.path, detail.message].filter((part) => typeof part === 'string').join(' '))
      .filter((text) => text !== '');
    if (typeof message === 'string' && described.length > 0) {
      message = `${message} (${described.join('; ')})`;
    }
  }
  return typeof message === 'string' && message.trim() !== '' ? `: ${message}` : '';
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Seconds to wait from a `Retry-After` header: either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * A date in the past means 0; an unreadable value means the orchestrator's own backoff decides.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) {
    return undefined;
  }
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed);
  }
  // Date.parse reads bare numbers such as "-5" as years, so only a value with a month name is a date.
  const date = /[a-z]{3}/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, Math.ceil((date - now) / 1000));
}
