import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import type { ServiceInfo, ServiceList } from '../api/types';
import { createApiToken } from '../auth/create-api-token';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';

const ADMIN_TOKEN = 'service-controls-admin-token-0123456789';
const testRuntime = registerRouteTestRuntime();

async function routeOf(path: string) {
  const route = listRouteFiles().find((entry) => entry.path === path);
  if (!route) {
    throw new Error(`no route file for ${path}`);
  }
  return loadRouteHandlers(route.file);
}

const HOLD = '/api/v1/services/{name}/hold';
const RELEASE = '/api/v1/services/{name}/release';

describeEachDatabase('POST /api/v1/services/{name}/hold and /release', (suite) => {
  async function setUp() {
    const { database } = suite;
    await testRuntime.start(database, { adminToken: ADMIN_TOKEN });
    const operator = await createApiToken(database.db, { name: 'ops-ann', role: 'operator', actor: 'test' });
    const viewer = await createApiToken(database.db, { name: 'viewer-vic', role: 'viewer', actor: 'test' });
    return {
      operator: { authorization: `Bearer ${operator.secret}` },
      viewer: { authorization: `Bearer ${viewer.secret}` },
      hold: (await routeOf(HOLD)).POST!,
      release: (await routeOf(RELEASE)).POST!,
      list: (await routeOf('/api/v1/services')).GET!,
    };
  }

  async function holdRows() {
    return queryRows<{ service: string; reason: string; held_by: string }>(
      suite.database.db,
      sql`select service, reason, held_by from service_holds`,
    );
  }
  async function events() {
    return queryRows<{ service: string; action: string; reason: string; actor: string }>(
      suite.database.db,
      sql`select service, action, reason, actor from service_hold_events order by id`,
    );
  }

  it('an operator holds billing (who, when, why shown and audited), GET /services shows it, and releases it', async () => {
    const { operator, hold, release, list } = await setUp();
    const held = await callHandler(hold, 'POST', HOLD, { params: { name: 'billing' }, headers: operator, body: { reason: 'billing deploy' } });
    expect(held.status).toBe(200);
    const service = (await held.json()) as ServiceInfo;
    expect(service).toMatchObject({ name: 'billing', hold: { reason: 'billing deploy', held_by: 'ops-ann' } });
    expect(Date.now() - Date.parse(service.hold!.held_at)).toBeLessThan(60_000);

    const services = (await (await callHandler(list, 'GET', '/api/v1/services', { headers: operator })).json()) as ServiceList;
    expect(services.services.find((entry) => entry.name === 'billing')?.hold?.reason).toBe('billing deploy');
    expect(services.services.find((entry) => entry.name === 'user')?.hold).toBeNull();
    expect(services.services.find((entry) => entry.name === 'billing')?.limits).toEqual({
      rate_per_second: null,
      max_concurrency: null,
      in_flight: 0,
      starts_last_second: null,
    });

    const released = await callHandler(release, 'POST', RELEASE, { params: { name: 'billing' }, headers: operator, body: { reason: 'deploy done' } });
    expect(released.status).toBe(200);
    expect(((await released.json()) as ServiceInfo).hold).toBeNull();
    expect(await holdRows()).toEqual([]);
    expect(await events()).toEqual([
      { service: 'billing', action: 'hold', reason: 'billing deploy', actor: 'ops-ann' },
      { service: 'billing', action: 'release', reason: 'deploy done', actor: 'ops-ann' },
    ]);
  });

  it('refuses, changing nothing: a second hold (409), a release of a service not held (409), an unknown service (404), a bad body (422), a viewer (403)', async () => {
    const { operator, viewer, hold, release } = await setUp();
    await callHandler(hold, 'POST', HOLD, { params: { name: 'billing' }, headers: operator, body: { reason: 'first' } });

    const again = await callHandler(hold, 'POST', HOLD, { params: { name: 'billing' }, headers: operator, body: { reason: 'second' } });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain('already held');

    const notHeld = await callHandler(release, 'POST', RELEASE, { params: { name: 'user' }, headers: operator });
    expect(notHeld.status).toBe(409);

    for (const route of [
      { handler: hold, path: HOLD, body: { reason: 'x' } },
      { handler: release, path: RELEASE, body: {} },
    ]) {
      const unknown = await callHandler(route.handler, 'POST', route.path, { params: { name: 'nope' }, headers: operator, body: route.body });
      expect(unknown.status).toBe(404);
    }

    for (const [body, path] of [
      [{}, '/reason'],
      [{ reason: '' }, '/reason'],
      [{ reason: 'x', extra: 1 }, '/extra'],
      [{ reason: 42 }, '/reason'],
    ] as const) {
      const invalid = await callHandler(hold, 'POST', HOLD, { params: { name: 'user' }, headers: operator, body });
      expect(invalid.status).toBe(422);
      const details = ((await invalid.json()) as { error: { details: { path: string }[] } }).error.details;
      expect(details.map((detail) => detail.path)).toContain(path);
    }

    const forbidden = await callHandler(hold, 'POST', HOLD, { params: { name: 'user' }, headers: viewer, body: { reason: 'x' } });
    expect(forbidden.status).toBe(403);
    const forbiddenRelease = await callHandler(release, 'POST', RELEASE, { params: { name: 'billing' }, headers: viewer });
    expect(forbiddenRelease.status).toBe(403);

    expect(await holdRows()).toEqual([{ service: 'billing', reason: 'first', held_by: 'ops-ann' }]);
    expect(await events()).toHaveLength(1);
  });
});
