import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createApiToken } from '../auth/create-api-token';
import type { Role } from '../auth/roles';
import { createFailedSignups, saveSignupTemplate } from '../testing/failure-fixtures';
import { callHandler, HTTP_METHODS, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';
import { API_OPERATIONS } from './api-operations';

/**
 * Every route of app/api/v1 × every kind of caller. The table is written out by hand: a new route file
 * (or method) without an entry here fails, and so does an entry whose route is gone.
 */
const EXPECTED_ACCESS: Record<string, 'public' | Role> = {
  'GET /api/v1/health': 'public',
  'GET /api/v1/metrics': 'viewer',
  'GET /api/v1/openapi.json': 'viewer',
  'GET /api/v1/session': 'viewer',
  'POST /api/v1/session': 'public',
  'DELETE /api/v1/session': 'public',
  'GET /api/v1/tokens': 'admin',
  'POST /api/v1/tokens': 'admin',
  'DELETE /api/v1/tokens/{tokenId}': 'admin',
  'GET /api/v1/templates': 'viewer',
  'POST /api/v1/templates': 'admin',
  'POST /api/v1/templates/validate': 'viewer',
  'GET /api/v1/templates/usage': 'viewer',
  'GET /api/v1/templates/{namespace}/{name}': 'viewer',
  'GET /api/v1/templates/{namespace}/{name}/{version}': 'viewer',
  'GET /api/v1/tasks': 'viewer',
  'GET /api/v1/bulk-actions/{bulkActionId}': 'viewer',
  'POST /api/v1/tasks': 'operator',
  'POST /api/v1/tasks/batch': 'operator',
  'POST /api/v1/tasks/bulk/retry': 'operator',
  'POST /api/v1/tasks/{taskId}/compensate': 'operator',
  'POST /api/v1/tasks/bulk/cancel': 'operator',
  'POST /api/v1/tasks/bulk/compensate': 'operator',
  'POST /api/v1/tasks/{taskId}/steps/{step}/rerun': 'operator',
  'GET /api/v1/tasks/{taskId}': 'viewer',
  'GET /api/v1/tasks/{taskId}/events': 'viewer',
  'GET /api/v1/tasks/{taskId}/transitions': 'viewer',
  'PATCH /api/v1/tasks/{taskId}/context': 'operator',
  'POST /api/v1/tasks/{taskId}/retry': 'operator',
  'POST /api/v1/tasks/{taskId}/cancel': 'operator',
  'GET /api/v1/tasks/{taskId}/steps/{step}/attempts': 'viewer',
  'POST /api/v1/tasks/{taskId}/steps/{step}/retry': 'operator',
  'POST /api/v1/tasks/{taskId}/steps/{step}/resolve': 'operator',
  'POST /api/v1/tasks/{taskId}/steps/{step}/skip': 'operator',
  'GET /api/v1/failures': 'viewer',
  'GET /api/v1/overview': 'viewer',
  'GET /api/v1/services': 'viewer',
  'GET /api/v1/alerts': 'viewer',
  'POST /api/v1/services/{name}/mode': 'operator',
  'POST /api/v1/services/{name}/circuit': 'operator',
  'POST /api/v1/services/{name}/hold': 'operator',
  'POST /api/v1/services/{name}/release': 'operator',
  'POST /api/v1/services/reset': 'operator',
};

/** A body each route can read, so an allowed caller gets past validation where the state permits. */
const SAMPLE_BODIES: Record<string, unknown> = {
  'POST /api/v1/session': { token: 'set per caller' },
  'POST /api/v1/tokens': { name: 'set per caller', role: 'viewer' },
  'POST /api/v1/templates': 'name: matrix_template\nversion: 1.0.0\nstep_templates:\n  - name: only\n    handler: test.noop\n',
  'POST /api/v1/templates/validate': 'name: matrix_template\nversion: 1.0.0\nstep_templates:\n  - name: only\n    handler: test.noop\n',
  'POST /api/v1/tasks': { namespace: 'tests', name: 'signup', context: { user_info: { email: 'matrix@example.com' } } },
  'POST /api/v1/tasks/batch': { tasks: [{ namespace: 'tests', name: 'signup', context: { user_info: { email: 'matrix-batch@example.com' } } }] },
  'POST /api/v1/tasks/bulk/retry': { filter: { status: 'error' }, dry_run: true },
  'PATCH /api/v1/tasks/{taskId}/context': { context: { user_info: { email: 'fixed@example.com' } }, reason: 'matrix' },
  'POST /api/v1/tasks/{taskId}/steps/{step}/resolve': { results: { ok: true }, reason: 'matrix' },
  'POST /api/v1/tasks/{taskId}/compensate': { dry_run: true },
  'POST /api/v1/tasks/bulk/cancel': { filter: { status: 'error' }, dry_run: true },
  'POST /api/v1/tasks/bulk/compensate': { filter: { status: 'error' }, dry_run: true },
  'POST /api/v1/tasks/{taskId}/steps/{step}/rerun': { reason: 'matrix' },
  'POST /api/v1/services/{name}/mode': { mode: 'up' },
  'POST /api/v1/services/{name}/circuit': { action: 'open', reason: 'matrix' },
  'POST /api/v1/services/{name}/hold': { reason: 'matrix' },
};

const ROLE_RANK: Record<'public' | Role, number> = { public: -1, viewer: 0, operator: 1, admin: 2 };
const ADMIN_TOKEN = 'matrix-admin-token-0123456789abcdef';

type Caller = { label: string; authorization?: string; rank: number };

const testRuntime = registerRouteTestRuntime();

it('has an entry for every route file and method, and the OpenAPI operations agree with it', async () => {
  const found: string[] = [];
  for (const route of listRouteFiles()) {
    const handlers = await loadRouteHandlers(route.file);
    for (const method of HTTP_METHODS) {
      if (handlers[method]) {
        found.push(`${method} ${route.path}`);
      }
    }
  }
  const missing = found.filter((key) => !(key in EXPECTED_ACCESS));
  expect(missing, 'routes without an entry in EXPECTED_ACCESS').toEqual([]);
  expect(
    Object.keys(EXPECTED_ACCESS).filter((key) => !found.includes(key)),
    'entries without a route',
  ).toEqual([]);
  const documented = Object.fromEntries(API_OPERATIONS.map((operation) => [`${operation.method} ${operation.path}`, operation.access]));
  expect(documented).toEqual(EXPECTED_ACCESS);
});

describeEachDatabase('authorization matrix', (suite) => {
  let callers: Caller[] = [];
  let taskId = '';
  let victimTokenIds: string[] = [];

  beforeEach(async () => {
    const { database } = suite;
    await testRuntime.start(database, { adminToken: ADMIN_TOKEN, demoServices: true });
    await saveSignupTemplate(database);
    [taskId] = (await createFailedSignups(database, ['matrix-task@example.com'], testRuntime.orchestrators)).map(String) as [string];
    const tokens: Partial<Record<Role, string>> = {};
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      tokens[role] = (await createApiToken(database.db, { name: `matrix-${role}`, role, actor: 'test' })).secret;
    }
    victimTokenIds = [];
    for (const name of ['victim-1', 'victim-2']) {
      victimTokenIds.push((await createApiToken(database.db, { name, role: 'viewer', actor: 'test' })).token.id);
    }
    callers = [
      { label: 'no token', rank: -1 },
      { label: 'wrong token', authorization: 'Bearer syt_not-a-real-token', rank: -1 },
      { label: 'malformed header', authorization: 'Basic Zm9vOmJhcg==', rank: -1 },
      { label: 'viewer', authorization: `Bearer ${tokens.viewer}`, rank: 0 },
      { label: 'operator', authorization: `Bearer ${tokens.operator}`, rank: 1 },
      { label: 'admin token', authorization: `Bearer ${tokens.admin}`, rank: 2 },
      { label: 'ADMIN_TOKEN', authorization: `Bearer ${ADMIN_TOKEN}`, rank: 2 },
    ];
  });

  it('answers each route × caller with 401, 403 or a pass', async () => {
    const outcomes: string[] = [];
    const failures: string[] = [];
    let tokenIndex = 0;
    for (const route of listRouteFiles()) {
      const handlers = await loadRouteHandlers(route.file);
      for (const method of HTTP_METHODS) {
        const handler = handlers[method];
        if (!handler) {
          continue;
        }
        const key = `${method} ${route.path}`;
        const access = EXPECTED_ACCESS[key] ?? 'admin';
        for (const caller of callers) {
          let body = SAMPLE_BODIES[key];
          if (key === 'POST /api/v1/session') {
            body = { token: caller.authorization?.replace(/^Bearer /, '') ?? 'no-token' };
          } else if (key === 'POST /api/v1/tokens') {
            body = { name: `made-${tokenIndex++}`, role: 'viewer' };
          }
          const controller = new AbortController();
          const response = await callHandler(handler, method, route.path, {
            params: {
              taskId,
              step: 'billing',
              namespace: 'tests',
              name: key.includes('/services/') ? 'billing' : 'signup',
              version: '1.0.0',
              tokenId: victimTokenIds[0]!,
              bulkActionId: '1',
            },
            headers: {
              // Each call from its own address, so the limit on wrong tokens (auth-limits.db.test.ts) stays out of the matrix.
              'x-forwarded-for': `matrix-${outcomes.length}`,
              ...(caller.authorization ? { authorization: caller.authorization } : {}),
              ...(typeof body === 'string' ? { 'content-type': 'application/yaml' } : {}),
            },
            body,
            signal: controller.signal,
          });
          controller.abort();
          await response.body?.cancel().catch(() => {});
          const status = response.status;
          let expected: string;
          let ok: boolean;
          if (key === 'POST /api/v1/session') {
            expected = caller.rank >= 0 ? '200' : '401';
            ok = String(status) === expected;
          } else if (access === 'public') {
            expected = 'pass';
            ok = status !== 401 && status !== 403 && status < 500;
          } else if (caller.rank < 0) {
            expected = '401';
            ok = status === 401;
          } else if (caller.rank < ROLE_RANK[access]) {
            expected = '403';
            ok = status === 403;
          } else {
            expected = 'pass';
            ok = status !== 401 && status !== 403 && status < 500;
          }
          outcomes.push(`${key} × ${caller.label} → ${status}`);
          if (!ok) {
            failures.push(`${key} × ${caller.label}: expected ${expected}, got ${status}`);
          }
        }
        if (key === 'DELETE /api/v1/tokens/{tokenId}') {
          victimTokenIds.shift();
        }
      }
    }
    expect(failures).toEqual([]);
    expect(outcomes.length).toBe(Object.keys(EXPECTED_ACCESS).length * callers.length);
  });

  it('records the caller as the actor: the token name, or admin for ADMIN_TOKEN', async () => {
    const { database } = suite;
    const operator = await createApiToken(database.db, { name: 'night-shift', role: 'operator', actor: 'test' });
    const route = listRouteFiles().find((entry) => entry.path === '/api/v1/tasks/{taskId}/steps/{step}/retry')!;
    const { POST } = await loadRouteHandlers(route.file);
    const answer = await callHandler(POST!, 'POST', route.path, {
      params: { taskId, step: 'billing' },
      headers: { authorization: `Bearer ${operator.secret}` },
    });
    expect(answer.status).toBe(200);
    const cancelRoute = listRouteFiles().find((entry) => entry.path === '/api/v1/tasks/{taskId}/cancel')!;
    const cancel = await loadRouteHandlers(cancelRoute.file);
    expect(
      (
        await callHandler(cancel.POST!, 'POST', cancelRoute.path, {
          params: { taskId },
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          body: { reason: 'test' },
        })
      ).status,
    ).toBe(202);
    const actors = await queryRows<{ actor: string; to_status: string }>(
      database.db,
      sql`select actor, to_status from transitions where task_id = ${Number(taskId)} and actor <> 'system' order by id`,
    );
    expect(actors[0]).toEqual({ actor: 'night-shift', to_status: 'ready' });
    expect(actors.at(-1)).toEqual({ actor: 'admin', to_status: 'cancelled' });
  });
});
