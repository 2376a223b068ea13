import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { RateLimitedError } from '../errors';
import { createAuthFailureLimiter, DEFAULT_AUTH_FAILURE_LIMITS, type AuthFailureLimiter } from './auth-failure-limiter';
import { checkWithinLimit } from './authenticate-request';

/** The web processes of one deployment: each has its own limiter (its memory), all share the database. */
function webProcesses(count: number, limits = DEFAULT_AUTH_FAILURE_LIMITS): AuthFailureLimiter[] {
  return Array.from({ length: count }, () => createAuthFailureLimiter(limits));
}

describeEachDatabase('sign-in throttling across web processes', (suite) => {
  /** One check of `secret` from `address` through `limiter`: 'failed' (a wrong token), 'ok', or the wait a 429 names. */
  async function check(limiter: AuthFailureLimiter, address: string, secret: string): Promise<'failed' | 'ok' | number> {
    try {
      const found = await checkWithinLimit(limiter, { db: suite.database.db, address, secret }, () =>
        Promise.resolve(secret === 'the-right-token' ? 'principal' : undefined),
      );
      return found === undefined ? 'failed' : 'ok';
    } catch (error) {
      if (error instanceof RateLimitedError) {
        return error.retryAfterSeconds;
      }
      throw error;
    }
  }

  it('counts an address’s failures through every process together: 3 through one and 2 through another, then both make it wait, the right token too', async () => {
    const [first, second] = webProcesses(2) as [AuthFailureLimiter, AuthFailureLimiter];
    for (let i = 0; i < 3; i += 1) {
      expect(await check(first, '203.0.113.90', `wrong-${i}`)).toBe('failed');
    }
    for (let i = 3; i < 5; i += 1) {
      expect(await check(second, '203.0.113.90', `wrong-${i}`)).toBe('failed');
    }
    // Each process saw fewer than 5 failures of its own; the database saw 5.
    expect(await check(first, '203.0.113.90', 'the-right-token')).toBe(1);
    expect(await check(second, '203.0.113.90', 'the-right-token')).toBe(1);
    expect(await check(webProcesses(1)[0]!, '203.0.113.90', 'wrong-again')).toBe(1);
    // Another address is not held up.
    expect(await check(second, '198.51.100.9', 'the-right-token')).toBe('ok');

    // After the wait, one more failure (through the other process) doubles it.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await check(first, '203.0.113.90', 'wrong-5')).toBe('failed');
    expect(await check(second, '203.0.113.90', 'the-right-token')).toBe(2);
  });

  it('shares the ceiling over every address: a burst of 10 spent half through each process, then the next guess waits in both', async () => {
    const limits = { ...DEFAULT_AUTH_FAILURE_LIMITS, globalBurst: 10, globalFailuresPerMinute: 60 };
    const [first, second] = webProcesses(2, limits) as [AuthFailureLimiter, AuthFailureLimiter];
    for (let i = 0; i < 10; i += 1) {
      expect(await check(i % 2 === 0 ? first : second, `made-up-${i}`, `guess-${i}`)).toBe('failed');
    }
    expect(await check(first, 'made-up-10', 'guess-10')).toBeGreaterThanOrEqual(1);
    expect(await check(second, 'made-up-11', 'guess-11')).toBeGreaterThanOrEqual(1);
    // A process started afterwards reads the same ceiling.
    expect(await check(webProcesses(1, limits)[0]!, 'made-up-12', 'guess-12')).toBeGreaterThanOrEqual(1);
  });

  it('forgets an address’s failures an hour after its last one, whichever process counted them', async () => {
    const [first, second] = webProcesses(2) as [AuthFailureLimiter, AuthFailureLimiter];
    for (let i = 0; i < 5; i += 1) {
      expect(await check(first, '203.0.113.91', `wrong-${i}`)).toBe('failed');
    }
    expect(await check(second, '203.0.113.91', 'the-right-token')).toBe(1);
    // An hour passes (the row is aged; the second process never counted these itself).
    await suite.database.db.execute(
      sql`update auth_failures set last_failure_at = last_failure_at - interval '61 minutes', blocked_until = null where address = '203.0.113.91'`,
    );
    expect(await check(second, '203.0.113.91', 'the-right-token')).toBe('ok');
    expect(await check(second, '203.0.113.91', 'wrong-again')).toBe('failed');
    const [row] = await queryRows<{ failures: number }>(suite.database.db, sql`select failures from auth_failures where address = '203.0.113.91'`);
    expect(Number(row?.failures)).toBe(1);
  });
});
