import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../errors';
import { AttemptInterruptedError, classifyFailure } from './run-attempt';

const step = {
  id: 1,
  attempt: 2,
  attemptsThisRound: 2,
  retryLimit: 3,
  retryable: true,
  backoff: { baseSeconds: 1, maxSeconds: 30, jitter: false, maxRetryAfterSeconds: 60, maxRateLimitedSeconds: 3600 },
  rateLimitedSince: null as Date | null,
};
const NOW = Date.parse('2026-12-06T12:00:00Z');
const classify = (error: unknown, overrides: Partial<typeof step> = {}) =>
  classifyFailure({ step: { ...step, ...overrides }, error, durationMs: 5, lastHttpStatus: null, random: () => 0.5, now: NOW });
const tooManyRequests = (retryAfterSeconds?: number) =>
  new RetryableError('POST billing /profiles answered 429', { errorCode: 'http_429', httpStatus: 429, retryAfterSeconds });

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

  it('waits out a rate limit without spending an attempt, even at the retry limit, as long as Retry-After says', () => {
    expect(classify(tooManyRequests(20), { attemptsThisRound: 3 })).toMatchObject({
      nextStatus: 'waiting_retry',
      runAfterSeconds: 20,
      refundAttempt: true,
      rateLimited: true,
    });
    // Without Retry-After the step's own backoff decides the wait.
    expect(classify(tooManyRequests(), { attemptsThisRound: 3 })).toMatchObject({ nextStatus: 'waiting_retry', refundAttempt: true });
  });

  it('treats a 503 as a rate limit only when it says when to come back', () => {
    const unavailable = (retryAfterSeconds?: number) => new RetryableError('answered 503', { httpStatus: 503, retryAfterSeconds });
    expect(classify(unavailable(5), { attemptsThisRound: 3 })).toMatchObject({ nextStatus: 'waiting_retry', refundAttempt: true, rateLimited: true });
    expect(classify(unavailable(), { attemptsThisRound: 3 })).toMatchObject({ nextStatus: 'error', refundAttempt: false, rateLimited: false });
  });

  it('counts rate-limited attempts once the step has been rate limited for max_rate_limited_seconds', () => {
    const since = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000);
    expect(classify(tooManyRequests(20), { attemptsThisRound: 3, rateLimitedSince: since(3599) })).toMatchObject({
      nextStatus: 'waiting_retry',
      refundAttempt: true,
    });
    expect(classify(tooManyRequests(20), { attemptsThisRound: 1, rateLimitedSince: since(3600) })).toMatchObject({
      nextStatus: 'waiting_retry',
      refundAttempt: false,
      rateLimited: true,
    });
    expect(classify(tooManyRequests(20), { attemptsThisRound: 3, rateLimitedSince: since(3600) })).toMatchObject({
      nextStatus: 'error',
      refundAttempt: false,
    });
  });

  it('never waits for a rate limit on a step that is not retryable', () => {
    expect(classify(tooManyRequests(20), { retryable: false })).toMatchObject({ nextStatus: 'error', refundAttempt: false });
  });

  it('keeps an error message PostgreSQL can store: no NUL, no half surrogate pair, cut at a code point with a note', () => {
    const failure = classify(new RetryableError(`bad\u0000byte \ud800 ${'😀'.repeat(3000)}`));
    expect(failure.errorMessage).not.toContain('\u0000');
    expect(failure.errorMessage.isWellFormed()).toBe(true);
    expect(failure.errorMessage).toMatch(/… \[cut: \d+ more characters\]$/);
    expect(failure.errorMessage.startsWith('bad\uFFFDbyte \uFFFD 😀')).toBe(true);
  });
});
