import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import type { Overview } from '../api/types';
import { createApiToken } from '../auth/create-api-token';
import { createFailedSignups, saveSignupTemplate, snapshotState } from '../testing/failure-fixtures';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';

const ADMIN_TOKEN = 'overview-admin-token-0123456789abcdef';
const testRuntime = registerRouteTestRuntime();

async function overviewHandler() {
  const route = listRouteFiles().find((entry) => entry.path === '/api/v1/overview');
  if (!route) {
    throw new Error('no app/api/v1/overview/route.ts');
  }
  return { path: route.path, GET: (await loadRouteHandlers(route.file)).GET! };
}

describeEachDatabase('GET /api/v1/overview', (suite) => {
  it('answers a viewer with the figures (callHandler checks them against the Overview schema)', async () => {
    const { database } = suite;
    await testRuntime.start(database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(database);
    const [failed] = await createFailedSignups(database, ['route@example.com'], testRuntime.orchestrators);
    const viewer = await createApiToken(database.db, { name: 'night-viewer', role: 'viewer', actor: 'test' });
    const { path, GET } = await overviewHandler();

    const response = await callHandler(GET, 'GET', path, { headers: { authorization: `Bearer ${viewer.secret}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Overview;
    expect(body.failed).toMatchObject({ last_hour: 1 });
    expect(body.oldest_stuck).toMatchObject({ id: String(failed), status: 'error', step: { name: 'billing', status: 'error' } });
    expect(body.created_per_hour.hours).toHaveLength(24);
    expect(body.created_per_hour.total).toBe(1);
    expect(Date.parse(body.generated_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a query string, a missing token and a bad one, and writes nothing', async () => {
    const { database } = suite;
    await testRuntime.start(database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(database);
    await createFailedSignups(database, ['refused@example.com'], testRuntime.orchestrators);
    const { path, GET } = await overviewHandler();
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const before = await snapshotState(database);

    for (const query of ['?stuck_after_minutes=1', '?status=error', '?__proto__=1', '?limit=5&limit=6']) {
      const response = await callHandler(GET, 'GET', path, { headers: admin, query });
      expect(response.status, query).toBe(422);
      const body = (await response.json()) as { error: { code: string; details: { path: string }[] } };
      expect(body.error.code).toBe('invalid_input');
      expect(body.error.details.length).toBeGreaterThan(0);
    }
    expect((await callHandler(GET, 'GET', path)).status).toBe(401);
    expect((await callHandler(GET, 'GET', path, { headers: { authorization: 'Bearer syt_not-a-real-token' } })).status).toBe(401);
    expect(await snapshotState(database)).toBe(before);
  });
});
