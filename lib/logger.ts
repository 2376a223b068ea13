import pino, { type DestinationStream, type LoggerOptions } from 'pino';

/** The most characters of a message or stack kept in a log line (a failed 1,000-row insert's SQL is long). */
const MAX_LOGGED_TEXT = 4000;
/** How many causes deep a logged error is followed. */
const MAX_CAUSE_DEPTH = 5;
/** What the error's own words may carry, when it is a database error: names of things, never values. */
const DATABASE_ERROR_FIELDS = ['severity', 'constraint_name', 'table_name', 'column_name', 'schema_name'] as const;

type LoggedError = {
  type: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: LoggedError;
  aggregateErrors?: LoggedError[];
} & Partial<Record<(typeof DATABASE_ERROR_FIELDS)[number], string>>;

function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string');
}

function cut(text: string): string {
  return text.length > MAX_LOGGED_TEXT ? `${text.slice(0, MAX_LOGGED_TEXT)}… [cut: ${text.length - MAX_LOGGED_TEXT} more characters]` : text;
}

/** Drizzle writes a failed statement's parameters into its message ("Failed query: …\nparams: …"). */
function withoutParameters(message: string): string {
  const at = message.search(/\nparams: /);
  return at === -1 ? message : `${message.slice(0, at)}\nparams: [left out of logs]`;
}

/**
 * An error as a log line may hold it: type, message, code and stack, and its causes the same way.
 * Everything else is left out, because errors carry data: a failed statement's `params`/`parameters`
 * (task contexts, step results), postgres.js's `query`/`args`, PostgreSQL's `detail` and `where` (the
 * offending value). Drizzle's parameters inside the message (and so the stack) are cut out too.
 */
function serializeError(error: unknown, depth = 0): unknown {
  if (!isErrorLike(error)) {
    return error;
  }
  const message = withoutParameters(error.message);
  const serialized: LoggedError = {
    type: error.constructor?.name && error.constructor !== Object ? error.constructor.name : (error.name ?? 'Error'),
    message: cut(message),
  };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') {
    serialized.code = String(code);
  }
  if (typeof error.stack === 'string') {
    serialized.stack = cut(error.message === message ? error.stack : error.stack.replace(error.message, message));
  }
  for (const field of DATABASE_ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string') {
      serialized[field] = value;
    }
  }
  if (depth < MAX_CAUSE_DEPTH) {
    const cause = (error as { cause?: unknown }).cause;
    if (isErrorLike(cause) && cause !== error) {
      serialized.cause = serializeError(cause, depth + 1) as LoggedError;
    }
    const aggregated = (error as { errors?: unknown }).errors;
    if (Array.isArray(aggregated)) {
      serialized.aggregateErrors = aggregated.slice(0, 10).map((item) => serializeError(item, depth + 1) as LoggedError);
    }
  }
  return serialized;
}

/** The logger's settings; `createLogger` with a destination is how tests read what would be written. */
export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream) {
  const settings: LoggerOptions = {
    level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    base: { service: 'switchyard' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // `err` is where errors go; `error` too, so an error logged under that key is not written out whole.
    serializers: { err: serializeError, error: serializeError },
    hooks: {
      // `log.error(error)` would take the error's whole message as the line's msg, parameters included.
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        if (!isErrorLike(first)) {
          return method.apply(this, args);
        }
        const message = rest.length > 0 ? rest : [cut(withoutParameters(first.message))];
        return method.apply(this, [{ err: first }, ...message] as unknown as Parameters<typeof method>);
      },
    },
    ...options,
  };
  return destination ? pino(settings, destination) : pino(settings);
}

/**
 * Structured JSON logs. Lines about a task carry task_id, step, attempt and correlation_id
 * (use `logger.child({...})`). Quiet under vitest unless LOG_LEVEL says otherwise. Errors are logged
 * without the data they carry (serializeError).
 */
export const logger = createLogger();

export type Logger = typeof logger;
