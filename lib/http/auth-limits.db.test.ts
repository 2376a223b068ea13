import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import type { ApiErrorBody } from '../api/types';
import { createApiToken } from '../auth/create-api-token';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';

const ADMIN_TOKEN = 'auth-limits-admin-token-0123456789abcdef';
const testRuntime = registerRouteTestRuntime();

async function route(path: string) {
  const file = listRouteFiles().find((entry) => entry.path === path);
  if (!file) {
    throw new Error(`no route ${path}`);
  }
  return { path, handlers: await loadRouteHandlers(file.file) };
}

async function expectRateLimited(response: Response) {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const body = (await response.json()) as ApiErrorBody;
  expect(body).toEqual({
    error: {
      code: 'rate_limited',
      message: expect.stringMatching(/^Too many failed sign-ins or wrong tokens.*try again in \d+ s$/) as string,
      details: [],
    },
  });
}

describeEachDatabase('limits on token guessing', (suite) => {
  it('answers 300 concurrent wrong bearer tokens from one address with at most 5 checks and 429s, and holds back even the right token from there', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const tasks = await route('/api/v1/tasks');
    const from = (address: string, token: string) =>
      callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': address } });

    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => from('203.0.113.50', `syt_guess-${i}`)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(295);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    await expectRateLimited(answers.find((answer) => answer.status === 429)!);

    // While the address waits, no token is looked at: the right one would tell a guesser it was right.
    await expectRateLimited(await from('203.0.113.50', ADMIN_TOKEN));
    // Another address is not held up; behind a proxy, the address the proxy appended is the one counted.
    expect((await from('198.51.100.1', ADMIN_TOKEN)).status).toBe(200);
    expect((await from('203.0.113.50, 198.51.100.2', 'syt_wrong')).status).toBe(401);
  });

  it('limits failed sign-ins per address, with a wait that grows', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const viewer = await createApiToken(suite.database.db, { name: 'limits-viewer', role: 'viewer', actor: 'test' });
    const session = await route('/api/v1/session');
    const signIn = (address: string, token: string) =>
      callHandler(session.handlers.POST!, 'POST', session.path, { body: { token }, headers: { 'x-forwarded-for': address } });

    for (let i = 0; i < 5; i += 1) {
      expect((await signIn('203.0.113.60', `wrong-${i}`)).status).toBe(401);
    }
    const refused = await signIn('203.0.113.60', viewer.secret);
    await expectRateLimited(refused);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await signIn('203.0.113.61', viewer.secret)).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await signIn('203.0.113.60', 'wrong-again')).status).toBe(401);
    const longer = await signIn('203.0.113.60', viewer.secret);
    expect(longer.status).toBe(429);
    expect(longer.headers.get('retry-after')).toBe('2');
  });

  it('has a global ceiling, so that a made-up X-Forwarded-For on each guess does not get round the limit', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const tasks = await route('/api/v1/tasks');
    const from = (address: string, token: string) =>
      callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': address } });
    const statuses: number[] = [];
    const startedAt = Date.now();
    for (let i = 0; i < 150; i += 1) {
      statuses.push((await from(`made-up-${i}`, `syt_guess-${i}`)).status);
    }
    const seconds = (Date.now() - startedAt) / 1000;
    // A burst of 100, then one a second.
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(100 + Math.ceil(seconds));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(50 - Math.ceil(seconds));
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
  });

  it('lets a client send its valid token in many parallel requests, even with failures behind it', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const operator = await createApiToken(suite.database.db, { name: 'limits-parallel', role: 'operator', actor: 'test' });
    const tasks = await route('/api/v1/tasks');
    const from = (token: string) =>
      callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.80' } });
    for (let i = 0; i < 4; i += 1) {
      expect((await from(`syt_typo-${i}`)).status).toBe(401);
    }
    const answers = await Promise.all(Array.from({ length: 50 }, () => from(operator.secret)));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 50 }, () => 200));
  });

  it('does not limit requests that bring a session cookie or no credential at all', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const tasks = await route('/api/v1/tasks');
    for (let i = 0; i < 10; i += 1) {
      expect(
        (
          await callHandler(tasks.handlers.GET!, 'GET', tasks.path, {
            headers: { cookie: `switchyard_session=stale-${i}`, 'x-forwarded-for': '203.0.113.70' },
          })
        ).status,
      ).toBe(401);
      expect((await callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { 'x-forwarded-for': '203.0.113.70' } })).status).toBe(401);
    }
    expect(
      (
        await callHandler(tasks.handlers.GET!, 'GET', tasks.path, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-forwarded-for': '203.0.113.70' },
        })
      ).status,
    ).toBe(200);
  });
});
