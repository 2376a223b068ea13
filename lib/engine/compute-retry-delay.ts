import type { RetryBackoff } from '../templates/template-definition';

/**
 * Seconds to wait before the next attempt: exponential in the attempts of this round
 * (base · 2^(n-1), capped at max_seconds), with "equal jitter" (half fixed, half random) so that a
 * crowd of failed steps spreads out. A service's Retry-After wins, capped at max_retry_after_seconds.
 */
export function computeRetryDelay({
  attemptsThisRound,
  backoff,
  retryAfterSeconds,
  random = Math.random,
}: {
  attemptsThisRound: number;
  backoff: Pick<RetryBackoff, 'baseSeconds' | 'maxSeconds' | 'jitter' | 'maxRetryAfterSeconds'>;
  retryAfterSeconds?: number | undefined;
  random?: () => number;
}): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    return Math.min(retryAfterSeconds, backoff.maxRetryAfterSeconds);
  }
  const exponential = Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** Math.max(0, attemptsThisRound - 1));
  return backoff.jitter ? exponential / 2 + (random() * exponential) / 2 : exponential;
}
