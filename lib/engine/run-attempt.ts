import { createHash } from 'node:crypto';
import type { ClaimedStep, StepFailure, StepSuccess } from '../../db/queries/steps';
import { PermanentError, RetryableError } from '../errors';
import type { ServiceCaller, ServiceCallRecord, StepLogger } from '../handlers/define-step-handler';
import type { HandlerRegistry } from '../handlers/index';
import { createSecretMatcher, type SecretMatcher } from '../redact-secrets';
import { cutText, toStorableJson } from '../storable-text';
import { TEMPLATE_DEFAULTS } from '../templates/template-definition';
import { AttemptRecorder } from './attempt-recorder';
import { computeRetryDelay } from './compute-retry-delay';

export type AttemptOutcome = { kind: 'success'; success: StepSuccess } | { kind: 'failure'; failure: StepFailure };

export type CreateServiceCaller = (options: {
  idempotencyKey: string;
  correlationId: string;
  signal: AbortSignal;
  onCall: (record: ServiceCallRecord) => void;
  /** Called as each call is sent, before its answer (see AttemptRecorder.recordSend). */
  onSend?: (record: ServiceCallRecord) => void;
}) => ServiceCaller;

class AttemptTimeoutError extends RetryableError {
  constructor(seconds: number) {
    super(`The attempt did not finish within its timeout of ${seconds} s`, { errorCode: 'timeout' });
    this.name = 'AttemptTimeoutError';
  }
}

export class AttemptInterruptedError extends RetryableError {
  constructor(message = 'The orchestrator stopped while the attempt was running') {
    super(message, { errorCode: 'interrupted' });
    this.name = 'AttemptInterruptedError';
  }
}

/**
 * The outcome of a step claimed ahead that was still waiting for a slot when its process stopped: an
 * interrupted attempt (not counted, claimable again at once) whose handler never ran.
 */
export function interruptedBeforeStart(step: ClaimedStep): AttemptOutcome {
  const error = new AttemptInterruptedError('The orchestrator stopped before the attempt started (it was waiting in the local queue)');
  return { kind: 'failure', failure: classifyFailure({ step, error, durationMs: 0, lastHttpStatus: null }) };
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
  secretMatcher = createSecretMatcher(),
}: {
  step: ClaimedStep;
  handlers: HandlerRegistry;
  createServiceCaller: CreateServiceCaller;
  stopSignal: AbortSignal;
  log: StepLogger;
  random?: () => number;
  /** What the attempt's request, response and log lines are redacted with (the default names plus REDACT_FIELDS). */
  secretMatcher?: SecretMatcher;
}): Promise<AttemptOutcome> {
  const startedAt = performance.now();
  const controller = new AbortController();
  const timeoutMs = step.timeoutSeconds * 1000;
  const timer = setTimeout(() => controller.abort(new AttemptTimeoutError(step.timeoutSeconds)), timeoutMs);
  const onStop = () => controller.abort(new AttemptInterruptedError());
  stopSignal.addEventListener('abort', onStop, { once: true });
  let lastHttpStatus: number | null = null;
  const recorder = new AttemptRecorder(secretMatcher);
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
        recorder.recordCall(record);
      },
      onSend: (record) => recorder.recordSend(record),
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
        log: recorder.wrapLogger(log),
      }),
      aborted,
    ]);
    const serialisable = toJsonValue(results);
    return {
      kind: 'success',
      success: {
        stepId: step.id,
        attempt: step.attempt,
        results: serialisable,
        durationMs: elapsedMs(startedAt),
        httpStatus: lastHttpStatus,
        details: recorder.toDetails(),
      },
    };
  } catch (error) {
    const failure = classifyFailure({ step, error, durationMs: elapsedMs(startedAt), lastHttpStatus, random });
    // An error's message often quotes the call (`POST user /users?token=…`): its secrets are redacted too.
    return { kind: 'failure', failure: { ...failure, errorMessage: secretMatcher.redactText(failure.errorMessage), details: recorder.toDetails() } };
  } finally {
    clearTimeout(timer);
    stopSignal.removeEventListener('abort', onStop);
  }
}

/**
 * The same for every attempt of a step, so a service drops a call it already acted on. It changes
 * only when an operator re-runs the step, or edits the task's context: the request then differs, and reusing a key with
 * other parameters is refused (or wrongly replayed) by idempotent services.
 */
function stepIdempotencyKey(step: Pick<ClaimedStep, 'id' | 'context' | 'rerunRound'>): string {
  const contextDigest = createHash('sha256').update(JSON.stringify(step.context)).digest('hex').slice(0, 12);
  // A re-run (POST …/rerun) is a new request the service must act on again: its round is in the key.
  const round = step.rerunRound > 0 ? `-r${step.rerunRound}` : '';
  return `switchyard-step-${step.id}${round}-${contextDigest}`;
}

function elapsedMs(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

/** The most a step's results may weigh, as JSON text: they are read by every step that depends on it. */
const MAX_RESULTS_CHARACTERS = 1024 * 1024;
/** PostgreSQL reads jsonb recursively; far deeper values fail its stack depth check. */
const MAX_RESULTS_DEPTH = 100;
/** How much of an error's message and names an attempt keeps. */
const MAX_ERROR_MESSAGE_CHARACTERS = 4000;

/**
 * The handler's results as JSON PostgreSQL can store: NUL and lone surrogates replaced by U+FFFD.
 * Results too large or too deeply nested to store are a permanent error: cutting them would hand
 * dependent steps something the service never said.
 */
function toJsonValue(results: unknown): unknown {
  let text: string;
  try {
    text = results === undefined ? 'null' : JSON.stringify(results);
  } catch (error) {
    throw new PermanentError('The handler returned results that are not JSON', { errorCode: 'invalid_results', cause: error });
  }
  if (text === undefined) {
    return null;
  }
  if (text.length > MAX_RESULTS_CHARACTERS) {
    throw new PermanentError(`The step's results are ${text.length} characters of JSON, over the limit of ${MAX_RESULTS_CHARACTERS}`, {
      errorCode: 'results_too_large',
    });
  }
  const value = JSON.parse(text) as unknown;
  if (depthOf(value, MAX_RESULTS_DEPTH + 1) > MAX_RESULTS_DEPTH) {
    throw new PermanentError(`The step's results are nested more than ${MAX_RESULTS_DEPTH} levels deep`, { errorCode: 'results_too_deep' });
  }
  return toStorableJson(value);
}

/** How deeply arrays and objects nest in a JSON value, counting no further than `limit`. */
function depthOf(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null || limit <= 0) {
    return 0;
  }
  let deepest = 0;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, limit - 1));
    if (deepest >= limit - 1) {
      break;
    }
  }
  return 1 + deepest;
}

/** A 429, or a 503 that says when to come back: the service is busy, not broken. */
function isRateLimited(error: unknown): error is RetryableError {
  return error instanceof RetryableError && (error.httpStatus === 429 || (error.httpStatus === 503 && error.retryAfterSeconds !== undefined));
}

/**
 * Decides what a failed attempt leads to: another attempt after a backoff, or error for good. A
 * service that answers "too many requests" is waited for without spending an attempt, for up to the
 * step's `max_rate_limited_seconds` since it began; after that its answers count like any failure.
 */
export function classifyFailure({
  step,
  error,
  durationMs,
  lastHttpStatus,
  random = Math.random,
  now = Date.now(),
}: {
  step: Pick<ClaimedStep, 'id' | 'attempt' | 'attemptsThisRound' | 'retryLimit' | 'retryable' | 'backoff' | 'rateLimitedSince'>;
  error: unknown;
  durationMs: number | null;
  lastHttpStatus: number | null;
  random?: () => number;
  now?: number;
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
  const rateLimited = step.retryable && isRateLimited(error);
  const rateLimitedForMs = step.rateLimitedSince === null ? 0 : now - step.rateLimitedSince.getTime();
  const waitsForRateLimit =
    rateLimited && rateLimitedForMs < (step.backoff.maxRateLimitedSeconds ?? TEMPLATE_DEFAULTS.backoff.maxRateLimitedSeconds) * 1000;
  const exhausted = step.attemptsThisRound >= step.retryLimit;
  const retry = isInterrupted || waitsForRateLimit || (!isPermanent && step.retryable && !exhausted);
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
    errorClass: cutText(error instanceof Error ? error.name : typeof error, 200),
    errorMessage: cutText(error instanceof Error ? error.message : String(error), MAX_ERROR_MESSAGE_CHARACTERS),
    errorCode: classified?.errorCode === undefined ? null : cutText(classified.errorCode, 200),
    httpStatus: classified?.httpStatus ?? lastHttpStatus,
    durationMs,
    refundAttempt: isInterrupted || waitsForRateLimit,
    rateLimited,
  };
}
