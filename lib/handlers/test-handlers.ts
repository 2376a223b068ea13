import fs from 'node:fs';
import { PermanentError, RetryableError } from '../errors';
import { defineStepHandler, type StepHandlerContext } from './define-step-handler';

/**
 * Deterministic handlers for tests and fixture templates. Registered only in tests and when E2E=1.
 * When SWITCHYARD_TEST_RECORD_FILE is set, every handler run appends one line to it, so tests can
 * count how often a handler really ran, across processes.
 */
function recordRun(name: string, context: StepHandlerContext, phase: 'start' | 'end'): void {
  const file = process.env.SWITCHYARD_TEST_RECORD_FILE;
  if (!file) {
    return;
  }
  const line = JSON.stringify({ handler: name, phase, step: context.step.id, attempt: context.attempt, at: Date.now(), pid: process.pid });
  fs.appendFileSync(file, line + '\n');
}

/** Why the signal was aborted, as an Error (the orchestrator aborts with one). */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

type NoopConfig = { result?: unknown };
const noopHandler = defineStepHandler<NoopConfig>({
  name: 'test.noop',
  description: 'Returns `result` (or {ok: true}) at once.',
  configSchema: { type: 'object', properties: { result: {} }, additionalProperties: false },
  async handle(config, context) {
    recordRun('test.noop', context, 'end');
    return config.result ?? { ok: true };
  },
});

type EchoConfig = Record<string, never>;
const echoHandler = defineStepHandler<EchoConfig>({
  name: 'test.echo',
  description: 'Returns the task context and the results it was given.',
  configSchema: { type: 'object', additionalProperties: false },
  async handle(_config, context) {
    return { context: context.context, results: context.results, attempt: context.attempt };
  },
});

type SleepConfig = { ms: number; result?: unknown };
const sleepHandler = defineStepHandler<SleepConfig>({
  name: 'test.sleep',
  description: 'Waits `ms` milliseconds (aborted by the signal), then returns.',
  configSchema: {
    type: 'object',
    required: ['ms'],
    properties: { ms: { type: 'integer', minimum: 0 }, result: {} },
    additionalProperties: false,
  },
  async handle(config, context) {
    recordRun('test.sleep', context, 'start');
    await waitOrAbort(config.ms, context.signal);
    recordRun('test.sleep', context, 'end');
    return config.result ?? { slept_ms: config.ms };
  },
});

type FailConfig = {
  kind: 'permanent' | 'retryable' | 'unknown';
  /** Fail this many attempts, then succeed; omitted: fail every attempt. */
  times?: number;
  retry_after_seconds?: number;
  /** The HTTP status a service would have answered (429: rate limited). */
  http_status?: number;
  message?: string;
};
const failHandler = defineStepHandler<FailConfig>({
  name: 'test.fail',
  description: 'Fails with the given kind of error for the first `times` attempts (or always).',
  configSchema: {
    type: 'object',
    required: ['kind'],
    properties: {
      kind: { type: 'string', enum: ['permanent', 'retryable', 'unknown'] },
      times: { type: 'integer', minimum: 0, nullable: true },
      retry_after_seconds: { type: 'number', minimum: 0, nullable: true },
      http_status: { type: 'integer', minimum: 100, maximum: 599, nullable: true },
      message: { type: 'string', nullable: true },
    },
    additionalProperties: false,
  },
  async handle(config, context) {
    recordRun('test.fail', context, 'end');
    if (config.times !== undefined && context.attempt > config.times) {
      return { succeeded_on_attempt: context.attempt };
    }
    const message = config.message ?? `test.fail: ${config.kind} failure on attempt ${context.attempt}`;
    if (config.kind === 'permanent') {
      throw new PermanentError(message, { errorCode: 'test_permanent' });
    }
    if (config.kind === 'retryable') {
      throw new RetryableError(message, {
        errorCode: 'test_retryable',
        retryAfterSeconds: config.retry_after_seconds,
        httpStatus: config.http_status,
      });
    }
    throw new TypeError(message);
  },
});

type HangConfig = Record<string, never>;
const hangHandler = defineStepHandler<HangConfig>({
  name: 'test.hang',
  description: 'Never returns and ignores its signal: the orchestrator must give up on it at the timeout.',
  configSchema: { type: 'object', additionalProperties: false },
  handle(_config, context) {
    recordRun('test.hang', context, 'start');
    return new Promise(() => {});
  },
});

export const testHandlers = [noopHandler, echoHandler, sleepHandler, failHandler, hangHandler];
