import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import type { AlertDeliveryList } from '../api/types';
import { createApiToken } from '../auth/create-api-token';
import { AlertDelivery } from '../engine/alert-delivery';
import { createLogger } from '../logger';
import { createFailedSignups, saveSignupTemplate } from '../testing/failure-fixtures';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';
import { waitFor } from '../testing/task-testing';

const ADMIN_TOKEN = 'alerts-admin-token-0123456789abcdef';
const testRuntime = registerRouteTestRuntime();

async function alertsHandler() {
  const route = listRouteFiles().find((entry) => entry.path === '/api/v1/alerts');
  if (!route) {
    throw new Error('no app/api/v1/alerts/route.ts');
  }
  return { path: route.path, GET: (await loadRouteHandlers(route.file)).GET! };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

/** A receiver that takes the first POST and refuses the rest with 410. */
async function startReceiver(): Promise<string> {
  let answered = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      answered += 1;
      response.writeHead(answered === 1 ? 200 : 410).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-part-of-the-hook?token=also-secret`;
}

describeEachDatabase('GET /api/v1/alerts', (suite) => {
  beforeEach(async () => {
    await suite.database.db.execute(sql`truncate alert_events, alert_groups, alert_deliveries restart identity`);
  });

  it('answers a viewer with where alerts go (the host only) and the latest messages with their outcome', async () => {
    const { database } = suite;
    const runtime = await testRuntime.start(database, { adminToken: ADMIN_TOKEN });
    const viewer = await createApiToken(database.db, { name: 'alerts-viewer', role: 'viewer', actor: 'test' });
    const headers = { authorization: `Bearer ${viewer.secret}` };
    const { path, GET } = await alertsHandler();

    // Alerts off, nothing sent yet.
    const off = await callHandler(GET, 'GET', path, { headers });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ enabled: false, receiver: null, quiet_seconds: 600, deliveries: [] });

    const webhookUrl = await startReceiver();
    runtime.env = { ...runtime.env, alertWebhookUrl: webhookUrl, alertQuietSeconds: 120 };
    await saveSignupTemplate(database);
    const ids = await createFailedSignups(database, ['a@example.com', 'b@example.com'], testRuntime.orchestrators);
    // A second group: its message is refused (410) and given up.
    await database.db.execute(
      sql`update steps set last_error = last_error || '{"http_status": 402}' where task_id = ${ids[1]!} and name = 'billing'`,
    );
    const delivery = new AlertDelivery({
      db: database.db,
      workerId: 'route-test',
      log: createLogger({ level: 'silent' }),
      webhookUrl,
      quietSeconds: 120,
      publicUrl: 'http://127.0.0.1:3000',
      pollIntervalMs: 20,
    });
    delivery.start();
    cleanups.push(() => delivery.stop());
    await waitFor(
      async () =>
        (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from alert_deliveries where state in ('delivered','failed')`))[0]
          ?.n === 2,
      { what: 'both messages to be sent or given up' },
    );

    const response = await callHandler(GET, 'GET', path, { headers });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('secret');
    const body = JSON.parse(text) as AlertDeliveryList;
    expect(body).toMatchObject({ enabled: true, receiver: new URL(webhookUrl).origin, quiet_seconds: 120 });
    expect(body.deliveries).toHaveLength(2);
    // Newest first: the second group's message was queued after the first's.
    const [refused, delivered] = body.deliveries;
    expect(delivered).toMatchObject({
      kind: 'failing',
      template: 'tests/signup',
      namespace: 'tests',
      name: 'signup',
      step: 'billing',
      signature: 'test_permanent | card declined for order <n>',
      state: 'delivered',
      attempts: 1,
      response_status: 200,
      last_error: null,
      next_attempt_at: null,
    });
    expect(delivered!.task_count).toBeGreaterThanOrEqual(1);
    expect(Date.parse(delivered!.delivered_at!)).toBeGreaterThanOrEqual(Date.parse(delivered!.created_at));
    expect(refused).toMatchObject({
      kind: 'failing',
      signature: 'test_permanent | HTTP 402 | card declined for order <n>',
      task_count: 1,
      state: 'failed',
      response_status: 410,
      last_error: 'the receiver answered HTTP 410',
      delivered_at: null,
    });
  });

  it('refuses a query string, a missing token and a bad one', async () => {
    const { database } = suite;
    await testRuntime.start(database, { adminToken: ADMIN_TOKEN });
    const { path, GET } = await alertsHandler();
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    for (const query of ['?limit=5', '?state=failed', '?__proto__=1']) {
      const response = await callHandler(GET, 'GET', path, { headers: admin, query });
      expect(response.status, query).toBe(422);
      const body = (await response.json()) as { error: { code: string; details: { path: string }[] } };
      expect(body.error.code).toBe('invalid_input');
      expect(body.error.details.length).toBeGreaterThan(0);
    }
    expect((await callHandler(GET, 'GET', path)).status).toBe(401);
    expect((await callHandler(GET, 'GET', path, { headers: { authorization: 'Bearer syt_not-a-real-token' } })).status).toBe(401);
  });
});
