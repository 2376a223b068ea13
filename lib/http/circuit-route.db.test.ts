import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import type { FailureList, ServiceInfo } from '../api/types';
import { createApiToken } from '../auth/create-api-token';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';
import { saveTestTemplate } from '../testing/task-testing';

const ADMIN_TOKEN = 'circuit-admin-token-0123456789abcdef';
const testRuntime = registerRouteTestRuntime();

async function handlerOf(path: string, method: 'GET' | 'POST') {
  const route = listRouteFiles().find((entry) => entry.path === path);
  if (!route) {
    throw new Error(`no route file for ${path}`);
  }
  return (await loadRouteHandlers(route.file))[method]!;
}

/** Probe now, Close circuit, Open circuit (issue 14 item 2): operator only, a reason required, audited, refused when meaningless. */
describeEachDatabase('POST /api/v1/services/{name}/circuit', (suite) => {
  it('opens, probes and closes a circuit for an operator, each in one audited change; refuses what makes no sense and writes nothing', async () => {
    const { database } = suite;
    const { db } = database;
    await testRuntime.start(database, { adminToken: ADMIN_TOKEN });
    const operator = await createApiToken(db, { name: 'night-ops', role: 'operator', actor: 'test' });
    const viewer = await createApiToken(db, { name: 'night-viewer', role: 'viewer', actor: 'test' });
    const POST = await handlerOf('/api/v1/services/{name}/circuit', 'POST');
    const path = '/api/v1/services/{name}/circuit';
    const call = (name: string, body: unknown, secret = operator.secret) =>
      callHandler(POST, 'POST', path, { params: { name }, body, headers: { authorization: `Bearer ${secret}` } });
    const events = () =>
      queryRows<{ from_state: string | null; to_state: string; reason: string; actor: string }>(
        db,
        sql`select from_state, to_state, reason, actor from service_circuit_events where service = 'billing' order by id`,
      );
    // A billing step waiting, its time an hour away.
    await saveTestTemplate(db, { name: 'bill', steps: [{ name: 'charge', handler: 'test.noop', service: 'billing' }] });
    const { task } = await createTask(db, { namespace: 'tests', name: 'bill', context: {} });
    await db.execute(sql`update steps set run_at = now() + interval '1 hour' where task_id = ${task.id}`);

    // Refused, nothing written: a viewer, no reason, a blank one, an unknown action or service, probing or closing a closed circuit.
    expect((await call('billing', { action: 'open', reason: 'provider incident' }, viewer.secret)).status).toBe(403);
    const missing = await call('billing', { action: 'open' });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(await missing.json())).toContain('reason');
    expect((await call('billing', { action: 'open', reason: '   ' })).status).toBe(422);
    expect((await call('billing', { action: 'explode', reason: 'x' })).status).toBe(422);
    expect((await call('nowhere', { action: 'open', reason: 'x' })).status).toBe(404);
    const probeClosed = await call('billing', { action: 'probe', reason: 'is it back?' });
    expect(probeClosed.status).toBe(409);
    expect(((await probeClosed.json()) as { error: { message: string } }).error.message).toMatch(/closed/);
    expect((await call('billing', { action: 'close', reason: 'x' })).status).toBe(409);
    expect(await events()).toEqual([]);
    expect(await queryRows(db, sql`select * from service_circuits`)).toEqual([]);

    // Open: no step of billing starts; Failures shows the wait at once.
    const opened = await call('billing', { action: 'open', reason: 'provider incident' });
    expect(opened.status).toBe(200);
    const openBody = (await opened.json()) as ServiceInfo;
    expect(openBody.circuit).toMatchObject({ state: 'open', next_probe_at: expect.any(String) as string });
    expect((await call('billing', { action: 'open', reason: 'again' })).status).toBe(409);
    const failures = await callHandler(await handlerOf('/api/v1/failures', 'GET'), 'GET', '/api/v1/failures', {
      headers: { authorization: `Bearer ${viewer.secret}` },
    });
    const failureList = (await failures.json()) as FailureList;
    expect(failureList.stuck_after_seconds).toBe(300);
    expect(failureList.waiting_groups).toEqual([expect.objectContaining({ service: 'billing', kind: 'circuit_open', count: 1, stuck: 0 })]);

    // Probe now: due at once.
    const probed = (await (await call('billing', { action: 'probe', reason: 'billing says it is fixed' })).json()) as ServiceInfo;
    expect(Math.abs(Date.parse(probed.circuit.next_probe_at!) - Date.now())).toBeLessThan(5000);

    // Close: the waiting step may go now.
    const closed = (await (await call('billing', { action: 'close', reason: 'confirmed healthy' })).json()) as ServiceInfo;
    expect(closed.circuit).toMatchObject({ state: 'closed', failures: 0, next_probe_at: null });
    const [step] = await queryRows<{ due: boolean }>(
      db,
      sql`select run_at <= now() + interval '1 second' as due from steps where task_id = ${task.id}`,
    );
    expect(step?.due).toBe(true);

    expect(await events()).toEqual([
      { from_state: 'closed', to_state: 'open', reason: 'circuit opened by night-ops: provider incident', actor: 'night-ops' },
      { from_state: 'open', to_state: 'open', reason: 'probe now by night-ops: billing says it is fixed', actor: 'night-ops' },
      { from_state: 'open', to_state: 'closed', reason: 'circuit closed by night-ops: confirmed healthy', actor: 'night-ops' },
    ]);
  });
});
