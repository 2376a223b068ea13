import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import type { ApiErrorBody } from '../api/types';
import { createApiToken } from '../auth/create-api-token';
import { createFailedSignups, saveSignupTemplate } from '../testing/failure-fixtures';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';

const ADMIN_TOKEN = 'sessions-admin-token-0123456789abcdef';
const testRuntime = registerRouteTestRuntime();

async function route(path: string) {
  const file = listRouteFiles().find((entry) => entry.path === path);
  if (!file) {
    throw new Error(`no route ${path}`);
  }
  return { path, handlers: await loadRouteHandlers(file.file) };
}

function sessionCookieOf(response: Response): string {
  const header = response.headers.get('set-cookie') ?? '';
  const value = /switchyard_session=([^;]*)/.exec(header)?.[1];
  if (!value) {
    throw new Error(`no session cookie in ${header}`);
  }
  return `switchyard_session=${value}`;
}

describeEachDatabase('dashboard sessions and local mode', (suite) => {
  let taskId = '';
  beforeEach(async () => {
    await saveSignupTemplate(suite.database);
    [taskId] = (await createFailedSignups(suite.database, ['session@example.com'], testRuntime.orchestrators)).map(String) as [string];
  });

  it('signs in with a token: an HttpOnly, SameSite=Strict cookie that reads anywhere but changes only from the same origin', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const operator = await createApiToken(suite.database.db, { name: 'day-shift', role: 'operator', actor: 'test' });
    const session = await route('/api/v1/session');
    const tasks = await route('/api/v1/tasks');
    const retry = await route('/api/v1/tasks/{taskId}/steps/{step}/retry');

    const refused = await callHandler(session.handlers.POST!, 'POST', session.path, { body: { token: 'nope' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();
    const crossSite = await callHandler(session.handlers.POST!, 'POST', session.path, {
      body: { token: operator.secret },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);

    const signedIn = await callHandler(session.handlers.POST!, 'POST', session.path, {
      body: { token: operator.secret },
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toEqual({ mode: 'token', actor: 'day-shift', role: 'operator' });
    const setCookie = signedIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    const cookie = sessionCookieOf(signedIn);
    const [stored] = await queryRows<{ session_hash: string }>(suite.database.db, sql`select session_hash from sessions`);
    expect(cookie).not.toContain(stored!.session_hash);

    expect((await callHandler(session.handlers.GET!, 'GET', session.path, { headers: { cookie } })).status).toBe(200);
    expect((await callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { cookie } })).status).toBe(200);
    const retryWith = (headers: Record<string, string>) =>
      callHandler(retry.handlers.POST!, 'POST', retry.path, { params: { taskId, step: 'billing' }, headers: { cookie, ...headers } });
    expect((await retryWith({})).status).toBe(403);
    expect((await retryWith({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await retryWith({ 'sec-fetch-site': 'cross-site', origin: 'http://127.0.0.1:3210' })).status).toBe(403);
    expect((await retryWith({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await retryWith({ origin: 'http://127.0.0.1:3210' })).status).toBe(200);
    const [transition] = await queryRows<{ actor: string }>(
      suite.database.db,
      sql`select actor from transitions where task_id = ${Number(taskId)} and to_status = 'ready' and actor <> 'system'`,
    );
    expect(transition?.actor).toBe('day-shift');

    const signedOut = await callHandler(session.handlers.DELETE!, 'DELETE', session.path, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(signedOut.status).toBe(200);
    expect(signedOut.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { cookie } })).status).toBe(401);
  });

  it('ends sessions when their token is revoked or ADMIN_TOKEN changes', async () => {
    const runtime = await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const viewer = await createApiToken(suite.database.db, { name: 'watcher', role: 'viewer', actor: 'test' });
    const session = await route('/api/v1/session');
    const tasks = await route('/api/v1/tasks');
    const token = await route('/api/v1/tokens/{tokenId}');
    const viewerCookie = sessionCookieOf(await callHandler(session.handlers.POST!, 'POST', session.path, { body: { token: viewer.secret } }));
    const adminCookie = sessionCookieOf(await callHandler(session.handlers.POST!, 'POST', session.path, { body: { token: ADMIN_TOKEN } }));
    expect((await callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { cookie: viewerCookie } })).status).toBe(200);

    const revoked = await callHandler(token.handlers.DELETE!, 'DELETE', token.path, {
      params: { tokenId: viewer.token.id },
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ name: 'watcher', active: false });
    expect((await callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { cookie: viewerCookie } })).status).toBe(401);
    expect((await callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { authorization: `Bearer ${viewer.secret}` } })).status).toBe(401);

    expect((await callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { cookie: adminCookie } })).status).toBe(200);
    runtime.env.adminToken = 'a-new-admin-token-9876543210fedcba';
    expect((await callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { cookie: adminCookie } })).status).toBe(401);
  });

  it('keeps of an ADMIN_TOKEN session nothing that is a function of ADMIN_TOKEN alone', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const session = await route('/api/v1/session');
    const tasks = await route('/api/v1/tasks');
    const cookies: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      cookies.push(sessionCookieOf(await callHandler(session.handlers.POST!, 'POST', session.path, { body: { token: ADMIN_TOKEN } })));
    }
    const stored = await queryRows<{ session_hash: string; credential_hash: string }>(
      suite.database.db,
      sql`select session_hash, credential_hash from sessions order by id`,
    );
    expect(stored).toHaveLength(2);
    const unsalted = createHash('sha256').update(ADMIN_TOKEN).digest('hex');
    const [first, second] = stored.map((row) => row.credential_hash);
    // Two sign-ins with the same token keep two unrelated values, neither of them its plain digest.
    expect(first).not.toBe(second);
    expect([first, second]).not.toContain(unsalted);
    expect(stored.map((row) => row.session_hash).join()).not.toContain(unsalted);
    for (const cookie of cookies) {
      expect((await callHandler(tasks.handlers.GET!, 'GET', tasks.path, { headers: { cookie } })).status).toBe(200);
    }
  });

  it('never gives a token name twice, not after a revocation nor in another case, and says why', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const tokens = await route('/api/v1/tokens');
    const token = await route('/api/v1/tokens/{tokenId}');
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const create = (name: string) => callHandler(tokens.handlers.POST!, 'POST', tokens.path, { headers: auth, body: { name, role: 'viewer' } });
    const created = await create('nightly');
    expect(created.status).toBe(201);
    const { token: info } = (await created.json()) as { token: { id: string } };
    const taken = await create('nightly');
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as ApiErrorBody).error.message).toMatch(/'nightly' is taken by token 'nightly'.*never reused/);

    expect((await callHandler(token.handlers.DELETE!, 'DELETE', token.path, { params: { tokenId: info.id }, headers: auth })).status).toBe(200);
    for (const name of ['nightly', 'NIGHTLY']) {
      const reused = await create(name);
      expect(reused.status, name).toBe(409);
      const { error } = (await reused.json()) as ApiErrorBody;
      expect(error.code).toBe('conflict');
      expect(error.message).toMatch(/taken by token 'nightly', revoked at .*never reused, so that the audit trail names one token/);
      expect(error.details).toEqual([{ path: '/name', message: 'is taken by a revoked token' }]);
    }
    const names = await queryRows<{ name: string }>(suite.database.db, sql`select name from api_tokens`);
    expect(names.map((row) => row.name)).toEqual(['nightly']);
  });

  it('in local mode lets everyone do everything, as actor local', async () => {
    await testRuntime.start(suite.database);
    const session = await route('/api/v1/session');
    const tokens = await route('/api/v1/tokens');
    const retry = await route('/api/v1/tasks/{taskId}/retry');
    expect(await (await callHandler(session.handlers.GET!, 'GET', session.path)).json()).toEqual({ mode: 'local', actor: 'local', role: 'admin' });
    expect((await callHandler(tokens.handlers.GET!, 'GET', tokens.path)).status).toBe(200);
    expect((await callHandler(retry.handlers.POST!, 'POST', retry.path, { params: { taskId } })).status).toBe(200);
    const [transition] = await queryRows<{ actor: string }>(
      suite.database.db,
      sql`select actor from transitions where task_id = ${Number(taskId)} and to_status = 'ready' and actor <> 'system'`,
    );
    expect(transition?.actor).toBe('local');
  });

  it('keeps token secrets out of answers and the database', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const tokens = await route('/api/v1/tokens');
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const created = await callHandler(tokens.handlers.POST!, 'POST', tokens.path, { headers: auth, body: { name: 'ci', role: 'operator' } });
    expect(created.status).toBe(201);
    const { secret, token } = (await created.json()) as { secret: string; token: { name: string; created_by: string } };
    expect(secret).toMatch(/^syt_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: 'ci', role: 'operator', created_by: 'admin', active: true });
    const listed = await (await callHandler(tokens.handlers.GET!, 'GET', tokens.path, { headers: auth })).text();
    expect(listed).not.toContain(secret);
    expect(listed).not.toMatch(/hash/);
    const stored = await queryRows<{ row: string }>(suite.database.db, sql`select row_to_json(api_tokens)::text as row from api_tokens`);
    expect(stored.map((row) => row.row).join()).not.toContain(secret);
    expect((await callHandler(tokens.handlers.POST!, 'POST', tokens.path, { headers: auth, body: { name: 'ci', role: 'viewer' } })).status).toBe(409);

    // A refused request leaves last_used_at alone; one that passes records it.
    const createTask = await route('/api/v1/tasks');
    const asCi = { authorization: `Bearer ${secret}` };
    expect(
      (await callHandler(createTask.handlers.POST!, 'POST', createTask.path, { headers: asCi, body: { name: 'nope', context: {} } })).status,
    ).toBe(404);
    const lastUsed = async () =>
      (await queryRows<{ last_used_at: string | null }>(suite.database.db, sql`select last_used_at::text from api_tokens where name = 'ci'`))[0]
        ?.last_used_at;
    expect(await lastUsed()).toBeNull();
    expect((await callHandler(createTask.handlers.GET!, 'GET', createTask.path, { headers: asCi })).status).toBe(200);
    expect(await lastUsed()).not.toBeNull();
    expect((await callHandler(tokens.handlers.POST!, 'POST', tokens.path, { headers: auth, body: { name: 'admin', role: 'viewer' } })).status).toBe(
      422,
    );
    expect((await callHandler(tokens.handlers.POST!, 'POST', tokens.path, { headers: auth, body: { name: 'x', role: 'root' } })).status).toBe(422);
  });
});
