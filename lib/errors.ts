/** Domain errors carry a code, not an HTTP status; only lib/http maps codes to statuses. */
export type ErrorCode =
  | 'not_found'
  | 'invalid_input'
  | 'invalid_template'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'malformed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal';

export type ErrorDetail = { path: string; message: string; line?: number };

export class AppError extends Error {
  readonly details: ErrorDetail[];
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: ErrorDetail[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? [];
  }
}

export class NotFoundError extends AppError {
  constructor(kind: 'task' | 'step' | 'template' | 'token' | 'service' | 'bulk action', id: string) {
    super('not_found', `No ${kind} ${id}`);
  }
}

export class InvalidInputError extends AppError {
  constructor(details: ErrorDetail[], message = 'Request is invalid') {
    super('invalid_input', message, { details });
  }
}

export class InvalidTemplateError extends AppError {
  constructor(
    details: ErrorDetail[],
    readonly file?: string,
  ) {
    super('invalid_template', file ? `Template ${file} is invalid` : 'Template is invalid', { details });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('conflict', message, { details });
  }
}

/** Too many attempts (e.g. wrong tokens) from one caller: answered 429 with Retry-After. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', message);
  }
}

/** Thrown by step handlers: the step fails for good and is never retried. */
export class PermanentError extends Error {
  readonly errorCode: string | undefined;
  readonly httpStatus: number | undefined;
  constructor(message: string, options: { errorCode?: string; httpStatus?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PermanentError';
    this.errorCode = options.errorCode;
    this.httpStatus = options.httpStatus;
  }
}

/** Thrown by step handlers: the attempt failed but a later one may succeed. */
export class RetryableError extends Error {
  readonly errorCode: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options: { errorCode?: string; httpStatus?: number; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RetryableError';
    this.errorCode = options.errorCode;
    this.httpStatus = options.httpStatus;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
