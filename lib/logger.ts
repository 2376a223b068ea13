import pino from 'pino';

/**
 * Structured JSON logs. Lines about a task carry task_id, step, attempt and correlation_id
 * (use `logger.child({...})`). Quiet under vitest unless LOG_LEVEL says otherwise.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: { service: 'switchyard' },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof logger;
