import type { ApiErrorBody } from './types';

export type ApiErrorDetail = ApiErrorBody['error']['details'][number];

/** A refused request: the HTTP status plus the API's `{error: {code, message, details}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** 4xx answers will not change on a retry, except 408 (timeout) and 429 (rate limited). */
export function isRetryableRequestError(error: unknown): boolean {
  if (!isApiError(error)) {
    return true;
  }
  return error.status >= 500 || error.status === 408 || error.status === 429 || error.status === 0;
}

export function isUnauthorizedError(error: unknown): boolean {
  return isApiError(error) && error.status === 401;
}
