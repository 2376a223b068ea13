import { createHash } from 'node:crypto';
import type { ClaimedStep, StepFailure, StepSuccess } from '../../db/queries/steps';
import { PermanentError, RetryableError } from '../errors';
import type { ServiceCallRecord, ServiceCaller, StepLogger } from '../handlers/define-step-handler';
import type { HandlerRegistry } from '../handlers/index';
import { computeRetryDelay } from './compute-retry-delay';

export type AttemptOutcome = { kind: 'success'; success: StepSuccess } | { kind: 'failure'; failure: StepFailure };

export type CreateServiceCaller = (options: {
  idempotencyKey: string;
  correlationId: string;
  signal: AbortSignal;
  onCall: (record: ServiceCallRecord) => void;
}) => ServiceCaller;

class AttemptTimeoutError extends RetryableError {
  constructor(seconds: number) {
    super(`The attempt did not finish within its timeout of ${seconds} s`, { errorCode: 'timeout' });
    this.name = 'AttemptTimeoutError';
  }
}

export class AttemptInterruptedError extends RetryableError {
  constructor() {
    super('The orchestrator stopped while the attempt was running', { errorCode: 'interrupted' });
    this.name = 'AttemptInterruptedError';
  }
}

/**
 * Runs one attempt of a claimed step: the handler gets its config, the task context, its
 * dependencies' results and a signal aborted at the step's timeout (or when `stopSignal` fires).
 * A handler that ignores the signal is abandoned at the timeout. Never throws: the outcome says
 * what to record.
 */
export async function runAttempt({
  step,
  handlers,
  createServiceCaller,
  stopSignal,
  log,
  random = Math.random,
}: {
  step: ClaimedStep;
  handlers: HandlerRegistry;
  createServiceCaller: CreateServiceCaller;
  stopSignal: AbortSignal;
  log: StepLogger;
  random?: () => number;
}): Promise<AttemptOutcome> {
  const startedAt = performance.now();
  const controller = new AbortController();
  const timeoutMs = step.timeoutSeconds * 1000;
  const timer = setTimeout(() => controller.abort(new AttemptTimeoutError(step.timeoutSeconds)), timeoutMs);
  const onStop = () => controller.abort(new AttemptInterruptedError());
  stopSignal.addEventListener('abort', onStop, { once: true });
  let lastHttpStatus: number | null = null;
  try {
    const handler = handlers.get(step.handler);
    if (!handler) {
      throw new PermanentError(`No handler named ${step.handler} is registered in this process`, { errorCode: 'unknown_handler' });
    }
    const idempotencyKey = stepIdempotencyKey(step);
    const services = createServiceCaller({
      idempotencyKey,
      correlationId: step.correlationId,
      signal: controller.signal,
      onCall: (record) => {
        lastHttpStatus = record.status ?? null;
      },
    });
    const aborted = new Promise<never>((_resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
    });
    const results = await Promise.race([
      handler.handle(step.handlerConfig, {
        context: step.context,
        results: step.dependencyResults,
        task: { id: String(step.taskId), namespace: step.namespace, name: step.taskName, version: step.version },
        step: { id: String(step.id), name: step.name },
        attempt: step.attempt,
        signal: controller.signal,
        idempotencyKey,
        correlationId: step.correlationId,
        services,
        log,
      }),
      aborted,
    ]);
    const serialisable = toJsonValue(results);
    return {
      kind: 'success',
      success: { stepId: step.id, attempt: step.attempt, results: serialisable, durationMs: elapsedMs(startedAt), httpStatus: lastHttpStatus },
    };
  } catch (error) {
    return { kind: 'failure', failure: classifyFailure({ step, error, durationMs: elapsedMs(startedAt), lastHttpStatus, random }) };
  } finally {
    clearTimeout(timer);
    stopSignal.removeEventListener('abort', onStop);
  }
}

/**
 * The same for every attempt of a step, so a service drops a call it already acted on. It changes
 * only when an operator edits the task's context: the request then differs, and reusing a key with
 * other parameters is refused (or wrongly replayed) by idempotent services.
 */
export function stepIdempotencyKey(step: Pick<ClaimedStep, 'id' | 'context'>): string {
  const contextDigest = createHash('sha256').update(JSON.stringify(step.context)).digest('hex').slice(0, 12);
  return `switchyard-step-${step.id}-${contextDigest}`;
}

function elapsedMs(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

function toJsonValue(results: unknown): unknown {
  try {
    return results === undefined ? null : (JSON.parse(JSON.stringify(results)) as unknown);
  } catch (error) {
    throw new PermanentError('The handler returned results that are not JSON', { errorCode: 'invalid_results', cause: error });
  }
}

/** Decides what a failed attempt leads to: another attempt after a backoff, or error for good. */
export function classifyFailure({
  step,
  error,
  durationMs,
  lastHttpStatus,
  random = Math.random,
}: {
  step: Pick<ClaimedStep, 'id' | 'attempt' | 'attemptsThisRound' | 'retryLimit' | 'retryable' | 'backoff'>;
  error: unknown;
  durationMs: number | null;
  lastHttpStatus: number | null;
  random?: () => number;
}): StepFailure {
  const isPermanent = error instanceof PermanentError;
  const outcome: StepFailure['outcome'] =
    error instanceof AttemptTimeoutError
      ? 'timeout'
      : error instanceof AttemptInterruptedError
        ? 'interrupted'
        : isPermanent
          ? 'permanent_error'
          : 'retryable_error';
  // An attempt cut short because this process was stopping says nothing about the step: it is not counted.
  const isInterrupted = outcome === 'interrupted';
  const exhausted = step.attemptsThisRound >= step.retryLimit;
  const retry = isInterrupted || (!isPermanent && step.retryable && !exhausted);
  const classified = error instanceof PermanentError || error instanceof RetryableError ? error : undefined;
  const retryAfterSeconds = error instanceof RetryableError ? error.retryAfterSeconds : undefined;
  return {
    stepId: step.id,
    attempt: step.attempt,
    nextStatus: retry ? 'waiting_retry' : 'error',
    runAfterSeconds: retry
      ? outcome === 'interrupted'
        ? 0
        : computeRetryDelay({ attemptsThisRound: step.attemptsThisRound, backoff: step.backoff, retryAfterSeconds, random })
      : 0,
    outcome,
    errorClass: error instanceof Error ? error.name : typeof error,
    errorMessage: (error instanceof Error ? error.message : String(error)).slice(0, 4000),
    errorCode: classified?.errorCode ?? null,
    httpStatus: classified?.httpStatus ?? lastHttpStatus,
    durationMs,
    refundAttempt: isInterrupted,
  };
}
