import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../errors';
import { AttemptInterruptedError, classifyFailure } from './run-attempt';

const step = {
  id: 1,
  attempt: 2,
  attemptsThisRound: 2,
  retryLimit: 3,
  retryable: true,
  backoff: { baseSeconds: 1, maxSeconds: 30, jitter: false, maxRetryAfterSeconds: 60 },
};
const classify = (error: unknown, overrides: Partial<typeof step> = {}) =>
  classifyFailure({ step: { ...step, ...overrides }, error, durationMs: 5, lastHttpStatus: null, random: () => 0.5 });

describe('classifying a failed attempt', () => {
  it('waits with exponential backoff while attempts remain', () => {
    expect(classify(new RetryableError('busy'))).toMatchObject({ nextStatus: 'waiting_retry', runAfterSeconds: 2, outcome: 'retryable_error' });
  });

  it('counts an unknown error as retryable', () => {
    expect(classify(new TypeError('oops'))).toMatchObject({ nextStatus: 'waiting_retry', outcome: 'retryable_error', errorClass: 'TypeError' });
  });

  it('lets Retry-After win, capped', () => {
    expect(classify(new RetryableError('slow down', { retryAfterSeconds: 4 })).runAfterSeconds).toBe(4);
    expect(classify(new RetryableError('slow down', { retryAfterSeconds: 4000 })).runAfterSeconds).toBe(60);
  });

  it('stops at the retry limit', () => {
    expect(classify(new RetryableError('busy'), { attemptsThisRound: 3 })).toMatchObject({ nextStatus: 'error' });
  });

  it('never retries a permanent error, nor a step that is not retryable', () => {
    expect(classify(new PermanentError('no', { errorCode: 'http_422', httpStatus: 422 }))).toMatchObject({
      nextStatus: 'error',
      outcome: 'permanent_error',
      errorCode: 'http_422',
      httpStatus: 422,
    });
    expect(classify(new RetryableError('busy'), { retryable: false })).toMatchObject({ nextStatus: 'error' });
  });

  it('does not count an attempt cut short by a stopping orchestrator, even the last one', () => {
    expect(classify(new AttemptInterruptedError(), { attemptsThisRound: 3 })).toMatchObject({
      nextStatus: 'waiting_retry',
      outcome: 'interrupted',
      runAfterSeconds: 0,
      refundAttempt: true,
    });
  });
});
