import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../errors';
import { createAuthFailureLimiter, DEFAULT_AUTH_FAILURE_LIMITS, type AuthFailureLimits } from './auth-failure-limiter';

function clock() {
  let now = 1_000_000;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

let guesses = 0;
/** A new secret each time: a guess of its own. */
const nextGuess = () => `guess-${(guesses += 1)}`;

/** The wait in seconds a refused attempt names, or 'allowed' (and the attempt is settled as `outcome`). */
function attempt(
  limiter: ReturnType<typeof createAuthFailureLimiter>,
  address: string,
  outcome: 'failed' | 'settled' = 'failed',
  secret = nextGuess(),
): number | 'allowed' {
  try {
    const started = limiter.beginAttempt(address, secret);
    started[outcome]();
    return 'allowed';
  } catch (error) {
    if (error instanceof RateLimitedError) {
      expect(error.code).toBe('rate_limited');
      return error.retryAfterSeconds;
    }
    throw error;
  }
}

const roomyGlobal: AuthFailureLimits = { ...DEFAULT_AUTH_FAILURE_LIMITS, globalBurst: 1_000_000 };

describe('auth failure limiter', () => {
  it('lets an address fail 5 times, then makes it wait 1 s, 2 s, 4 s … up to 15 min, and forgets it an hour after its last failure', () => {
    const time = clock();
    const limiter = createAuthFailureLimiter(roomyGlobal, time.now);
    for (let i = 0; i < 5; i += 1) {
      expect(attempt(limiter, '203.0.113.1')).toBe('allowed');
    }
    expect(attempt(limiter, '203.0.113.1')).toBe(1);
    expect(attempt(limiter, '203.0.113.1', 'settled')).toBe(1);
    // Another address is not held up.
    expect(attempt(limiter, '203.0.113.2', 'settled')).toBe('allowed');

    const waits: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const refused = attempt(limiter, '203.0.113.1');
      expect(typeof refused).toBe('number');
      waits.push(refused as number);
      time.advance((refused as number) * 1000);
      expect(attempt(limiter, '203.0.113.1')).toBe('allowed');
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);

    // The wait is over but the count is kept: the next failure waits the longest again.
    time.advance(60 * 60_000 - 1);
    expect(attempt(limiter, '203.0.113.1')).toBe('allowed');
    expect(attempt(limiter, '203.0.113.1', 'settled')).toBe(900);
    time.advance(60 * 60_000 + 1);
    for (let i = 0; i < 5; i += 1) {
      expect(attempt(limiter, '203.0.113.1')).toBe('allowed');
    }
    expect(attempt(limiter, '203.0.113.1')).toBe(1);
  });

  it('counts only failures, and a success does not wipe them', () => {
    const time = clock();
    const limiter = createAuthFailureLimiter(roomyGlobal, time.now);
    for (let i = 0; i < 4; i += 1) {
      expect(attempt(limiter, 'a')).toBe('allowed');
      expect(attempt(limiter, 'a', 'settled')).toBe('allowed');
    }
    expect(attempt(limiter, 'a')).toBe('allowed');
    expect(attempt(limiter, 'a', 'settled')).toBe(1);
  });

  it('counts concurrent guesses as they arrive: no more different secrets in flight than free failures left, then one at a time', () => {
    const time = clock();
    const limiter = createAuthFailureLimiter(roomyGlobal, time.now);
    const inFlight = [];
    for (let i = 0; i < 5; i += 1) {
      inFlight.push(limiter.beginAttempt('b', nextGuess()));
    }
    expect(() => limiter.beginAttempt('b', nextGuess())).toThrow(RateLimitedError);
    for (const started of inFlight) {
      started.failed();
    }
    expect(attempt(limiter, 'b')).toBe(1);
    time.advance(1000);
    const one = limiter.beginAttempt('b', nextGuess());
    expect(() => limiter.beginAttempt('b', nextGuess())).toThrow(RateLimitedError);
    one.settled();
  });

  it('takes concurrent checks of one secret as one guess: a client sending its token in parallel is not held up', () => {
    const limiter = createAuthFailureLimiter(roomyGlobal, clock().now);
    for (let i = 0; i < 4; i += 1) {
      expect(attempt(limiter, 'ci')).toBe('allowed');
    }
    const parallel = Array.from({ length: 50 }, () => limiter.beginAttempt('ci', 'the-valid-token'));
    for (const started of parallel) {
      started.settled();
    }
    // The same wrong secret 50 times at once is one failure: the fifth.
    const wrong = Array.from({ length: 50 }, () => limiter.beginAttempt('ci', 'one-wrong-token'));
    for (const started of wrong) {
      started.failed();
    }
    expect(attempt(limiter, 'ci', 'settled')).toBe(1);
  });

  it('has a global ceiling that made-up addresses cannot get round: a burst, then a steady rate', () => {
    const time = clock();
    const limiter = createAuthFailureLimiter({ ...DEFAULT_AUTH_FAILURE_LIMITS, globalBurst: 100, globalFailuresPerMinute: 60 }, time.now);
    for (let i = 0; i < 100; i += 1) {
      expect(attempt(limiter, `made-up-${i}`)).toBe('allowed');
    }
    expect(attempt(limiter, 'made-up-new', 'settled')).toBe(1);
    expect(attempt(limiter, '198.51.100.7', 'settled')).toBe(1);
    time.advance(1000);
    expect(attempt(limiter, 'made-up-101')).toBe('allowed');
    expect(attempt(limiter, 'made-up-102')).toBe(1);
    time.advance(60_000);
    for (let i = 0; i < 60; i += 1) {
      expect(attempt(limiter, `later-${i}`)).toBe('allowed');
    }
    expect(attempt(limiter, 'later-60')).toBe(1);
  });

  it('remembers a bounded number of addresses', () => {
    const time = clock();
    const limiter = createAuthFailureLimiter({ ...roomyGlobal, maxAddresses: 10 }, time.now);
    for (let i = 0; i < 5; i += 1) {
      attempt(limiter, 'guesser');
    }
    expect(attempt(limiter, 'guesser')).toBe(1);
    for (let i = 0; i < 9; i += 1) {
      attempt(limiter, `other-${i}`);
    }
    expect(attempt(limiter, 'guesser', 'settled')).toBe(1);
    // The map is full: the quietest address is forgotten first.
    attempt(limiter, 'other-9');
    expect(attempt(limiter, 'guesser', 'settled')).toBe('allowed');
    expect(attempt(limiter, 'other-0', 'settled')).toBe('allowed');
  });
});
