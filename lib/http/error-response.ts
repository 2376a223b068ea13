import type { ApiErrorBody } from '../api/types';
import { AppError, RateLimitedError, type ErrorCode, type ErrorDetail } from '../errors';
import type { Logger } from '../logger';

/** The one table from domain error codes to HTTP statuses (shared/API.md §5). */
const STATUS_BY_ERROR_CODE: Record<ErrorCode, number> = {
  malformed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_input: 422,
  invalid_template: 422,
  rate_limited: 429,
  internal: 500,
};

const MAX_DETAILS = 1000;

export function errorResponse(code: ErrorCode, message: string, details: readonly ErrorDetail[] = [], headers: HeadersInit = {}): Response {
  const body: ApiErrorBody = {
    error: {
      code,
      message,
      details: details.slice(0, MAX_DETAILS).map((detail) => ({
        path: detail.path,
        message: detail.message,
        ...(detail.line !== undefined ? { line: detail.line } : {}),
      })),
    },
  };
  const extra = new Headers(headers);
  if (code === 'unauthorized') {
    extra.set('WWW-Authenticate', 'Bearer realm="switchyard"');
  }
  return Response.json(body, { status: STATUS_BY_ERROR_CODE[code], headers: extra });
}

/**
 * Turns anything thrown by a route into the error shape. An AppError says what went wrong in its own
 * words; anything else is a bug or an outage: logged with its cause, answered with a generic message so
 * no stack, SQL or data leaks.
 */
export function toErrorResponse(error: unknown, { log, requestId }: { log: Logger; requestId: string }): Response {
  if (error instanceof AppError) {
    const headers: HeadersInit = error instanceof RateLimitedError ? { 'Retry-After': String(error.retryAfterSeconds) } : {};
    return errorResponse(error.code, error.message, error.details, headers);
  }
  log.error({ err: error }, 'request failed');
  return errorResponse('internal', `Something went wrong on the server; it is logged under request id ${requestId}`);
}
