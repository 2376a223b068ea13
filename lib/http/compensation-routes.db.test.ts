import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import type { BulkActionResult, CompensateTaskResult, TaskDetail } from '../api/types';
import { createApiToken } from '../auth/create-api-token';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';
import { saveTestTemplate } from '../testing/task-testing';

const ADMIN_TOKEN = 'compensation-routes-admin-token-0123456789';
const testRuntime = registerRouteTestRuntime();

async function routeOf(path: string) {
  const route = listRouteFiles().find((entry) => entry.path === path);
  if (!route) {
    throw new Error(`no route file for ${path}`);
  }
  return (await loadRouteHandlers(route.file)).POST!;
}

const COMPENSATE = '/api/v1/tasks/{taskId}/compensate';
const RERUN = '/api/v1/tasks/{taskId}/steps/{step}/rerun';
const BULK_CANCEL = '/api/v1/tasks/bulk/cancel';
const BULK_COMPENSATE = '/api/v1/tasks/bulk/compensate';
const undo = { handler: 'test.noop', handlerConfig: {}, service: null, timeoutSeconds: 5, retryLimit: 3 };

describeEachDatabase('compensate, re-run and bulk cancel/compensate routes', (suite) => {
  const db = () => suite.database.db;

  async function setUp() {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const operator = await createApiToken(db(), { name: 'ops-ann', role: 'operator', actor: 'test' });
    const viewer = await createApiToken(db(), { name: 'viewer-vic', role: 'viewer', actor: 'test' });
    await saveTestTemplate(db(), {
      name: 'pair',
      steps: [
        { name: 'first', handler: 'test.noop', compensation: undo },
        { name: 'second', handler: 'test.noop', dependsOn: ['first'] },
      ],
    });
    return {
      operator: { authorization: `Bearer ${operator.secret}` },
      viewer: { authorization: `Bearer ${viewer.secret}` },
    };
  }

  /** A task with first complete and second in error (set with SQL: no orchestrator runs here). */
  async function failedTask(): Promise<number> {
    const { task } = await createTask(db(), { namespace: 'tests', name: 'pair', context: {} });
    await db().execute(sql`update steps set status = 'complete', attempts = 1, results = '{"id": "x1"}', completed_at = now()
      where task_id = ${task.id} and name = 'first'`);
    await db().execute(sql`update steps set status = 'error', attempts = 1, pending_dependencies = 0
      where task_id = ${task.id} and name = 'second'`);
    await db().execute(sql`update tasks set status = 'error', unfinished_steps = 1, live_steps = 0 where id = ${task.id}`);
    return task.id;
  }

  async function completeTask(): Promise<number> {
    const { task } = await createTask(db(), { namespace: 'tests', name: 'pair', context: {} });
    await db().execute(sql`update steps set status = 'complete', attempts = 1, results = '{}', completed_at = now(), pending_dependencies = 0
      where task_id = ${task.id}`);
    await db().execute(sql`update tasks set status = 'complete', unfinished_steps = 0, live_steps = 0, completed_at = now() where id = ${task.id}`);
    return task.id;
  }

  async function everything() {
    const [row] = await queryRows<{ state: string }>(
      db(),
      sql`select (select count(*) from transitions)::text || '/' || (select count(*) from steps)::text || '/' ||
        (select string_agg(id || status, ',' order by id) from tasks) as state`,
    );
    return row!.state;
  }

  it('compensates a task in error: a dry run lists the plan and writes nothing, then the task is compensating', async () => {
    const { operator } = await setUp();
    const taskId = await failedTask();
    const compensate = await routeOf(COMPENSATE);
    const before = await everything();
    const dry = await callHandler(compensate, 'POST', COMPENSATE, { params: { taskId: String(taskId) }, headers: operator, body: { dry_run: true } });
    expect(dry.status).toBe(200);
    expect((await dry.json()) as CompensateTaskResult).toEqual({
      task_id: String(taskId),
      dry_run: true,
      status: 'error',
      compensations: [{ step: 'compensate.first', compensates: 'first', handler: 'test.noop', service: null, depends_on: [] }],
      skipped: [],
    });
    expect(await everything()).toBe(before);

    // Without a reason it is refused (422, at /reason), writing nothing.
    const noReason = await callHandler(compensate, 'POST', COMPENSATE, { params: { taskId: String(taskId) }, headers: operator, body: {} });
    expect(noReason.status).toBe(422);
    expect(await noReason.json()).toMatchObject({ error: { details: [{ path: '/reason' }] } });
    expect(await everything()).toBe(before);

    const done = await callHandler(compensate, 'POST', COMPENSATE, {
      params: { taskId: String(taskId) },
      headers: operator,
      body: { reason: 'undo the order' },
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ dry_run: false, status: 'compensating' });
    const [task] = await queryRows<{ status: string }>(db(), sql`select status from tasks where id = ${taskId}`);
    expect(task!.status).toBe('compensating');

    // The task's steps show the compensation step, its kind and what it undoes.
    const getTask = (await loadRouteHandlers(listRouteFiles().find((entry) => entry.path === '/api/v1/tasks/{taskId}')!.file)).GET!;
    const detail = (await (
      await callHandler(getTask, 'GET', '/api/v1/tasks/{taskId}', { params: { taskId: String(taskId) }, headers: operator })
    ).json()) as TaskDetail;
    expect(detail.steps.map((step) => [step.name, step.kind, step.compensates, step.status])).toEqual([
      ['first', 'step', null, 'complete'],
      ['second', 'step', null, 'cancelled'],
      ['compensate.first', 'compensation', 'first', 'ready'],
    ]);

    // Compensating again is a conflict (409), and writes nothing; a viewer is refused (403).
    const after = await everything();
    const again = await callHandler(compensate, 'POST', COMPENSATE, {
      params: { taskId: String(taskId) },
      headers: operator,
      body: { reason: 'again' },
    });
    expect(again.status).toBe(409);
    expect(await everything()).toBe(after);
  });

  it("keeps a step whose results match its compensation's skip_when: listed as skipped with why, audited, never run", async () => {
    const { operator } = await setUp();
    const adopted = { ...undo, skipWhen: { already_existed: true } };
    await saveTestTemplate(db(), {
      name: 'adopting',
      steps: [
        { name: 'account', handler: 'test.noop', compensation: adopted },
        { name: 'prefs', handler: 'test.noop', dependsOn: ['account'], compensation: adopted },
        { name: 'billing', handler: 'test.noop', dependsOn: ['account'] },
      ],
    });
    async function failed(prefsResults: string): Promise<number> {
      const { task } = await createTask(db(), { namespace: 'tests', name: 'adopting', context: {} });
      await db()
        .execute(sql`update steps set status = 'complete', attempts = 1, results = '{"id": "a1", "already_existed": true}', completed_at = now()
        where task_id = ${task.id} and name = 'account'`);
      await db()
        .execute(sql`update steps set status = 'complete', attempts = 1, results = ${prefsResults}::jsonb, completed_at = now(), pending_dependencies = 0
        where task_id = ${task.id} and name = 'prefs'`);
      await db().execute(
        sql`update steps set status = 'error', attempts = 1, pending_dependencies = 0 where task_id = ${task.id} and name = 'billing'`,
      );
      await db().execute(sql`update tasks set status = 'error', unfinished_steps = 1, live_steps = 0 where id = ${task.id}`);
      return task.id;
    }
    const compensate = await routeOf(COMPENSATE);
    const taskId = await failed('{"id": "p1", "already_existed": false}');
    const before = await everything();
    const dry = await callHandler(compensate, 'POST', COMPENSATE, { params: { taskId: String(taskId) }, headers: operator, body: { dry_run: true } });
    expect(dry.status).toBe(200);
    const plan = (await dry.json()) as CompensateTaskResult;
    expect(plan.compensations.map((entry) => entry.step)).toEqual(['compensate.prefs']);
    expect(plan.skipped).toEqual([
      {
        step: 'compensate.account',
        compensates: 'account',
        reason: "its results say already_existed: true (the compensation's skip_when): it did not create what the compensation would undo",
      },
    ]);
    expect(await everything()).toBe(before);

    const done = await callHandler(compensate, 'POST', COMPENSATE, {
      params: { taskId: String(taskId) },
      headers: operator,
      body: { reason: 'undo' },
    });
    expect(done.status).toBe(200);
    const rows = await queryRows<{ name: string; kind: string; status: string }>(
      db(),
      sql`select name, kind, status from steps where task_id = ${taskId} order by position`,
    );
    expect(rows.map((row) => `${row.name}:${row.status}`)).toEqual([
      'account:complete',
      'prefs:complete',
      'billing:cancelled',
      'compensate.prefs:ready',
    ]);
    const [kept] = await queryRows<{ from_status: string; to_status: string; reason: string; actor: string }>(
      db(),
      sql`select t.from_status, t.to_status, t.reason, t.actor from transitions t join steps s on s.id = t.step_id
        where t.task_id = ${taskId} and s.name = 'account' order by t.id desc limit 1`,
    );
    expect(kept).toMatchObject({ from_status: 'complete', to_status: 'complete', actor: 'ops-ann' });
    expect(kept!.reason).toMatch(/^not undone: its results say already_existed: true/);

    // Both adopted: nothing to undo, refused (409) naming each kept step, nothing written.
    const bothAdopted = await failed('{"id": "p2", "already_existed": true}');
    const unchanged = await everything();
    const refused = await callHandler(compensate, 'POST', COMPENSATE, {
      params: { taskId: String(bothAdopted) },
      headers: operator,
      body: { reason: 'undo' },
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /^Nothing to compensate in task \d+: account: its results say already_existed: true .*; prefs: its results say already_existed: true/,
    );
    expect(await everything()).toBe(unchanged);
  });

  it('refuses a viewer, a complete task (409) and an unknown one (404), writing nothing', async () => {
    const { operator, viewer } = await setUp();
    const taskId = await completeTask();
    const compensate = await routeOf(COMPENSATE);
    const before = await everything();
    const asViewer = await callHandler(compensate, 'POST', COMPENSATE, {
      params: { taskId: String(taskId) },
      headers: viewer,
      body: { reason: 'r' },
    });
    expect(asViewer.status).toBe(403);
    const complete = await callHandler(compensate, 'POST', COMPENSATE, {
      params: { taskId: String(taskId) },
      headers: operator,
      body: { reason: 'r' },
    });
    expect(complete.status).toBe(409);
    expect(await complete.json()).toMatchObject({ error: { code: 'conflict', message: expect.stringMatching(/only a task in error or cancelled/) } });
    const unknown = await callHandler(compensate, 'POST', COMPENSATE, { params: { taskId: '987654' }, headers: operator, body: { reason: 'r' } });
    expect(unknown.status).toBe(404);
    expect(await everything()).toBe(before);
  });

  it('re-runs a step of a complete task (downstream too); refuses an unfinished step or a missing reason', async () => {
    const { operator } = await setUp();
    const taskId = await completeTask();
    const rerun = await routeOf(RERUN);
    const before = await everything();
    const noReason = await callHandler(rerun, 'POST', RERUN, { params: { taskId: String(taskId), step: 'first' }, headers: operator, body: {} });
    expect(noReason.status).toBe(422);
    expect(await everything()).toBe(before);

    const response = await callHandler(rerun, 'POST', RERUN, {
      params: { taskId: String(taskId), step: 'first' },
      headers: operator,
      body: { reason: 'the service lost it', downstream: true },
    });
    expect(response.status).toBe(200);
    const task = (await response.json()) as TaskDetail;
    expect(task.status).toBe('in_progress');
    expect(task.steps.map((step) => [step.name, step.status, step.rerun_round])).toEqual([
      ['first', 'ready', 1],
      ['second', 'pending', 1],
    ]);

    const after = await everything();
    const unfinished = await callHandler(rerun, 'POST', RERUN, {
      params: { taskId: String(taskId), step: 'first' },
      headers: operator,
      body: { reason: 'again' },
    });
    expect(unfinished.status).toBe(409);
    expect(await everything()).toBe(after);
  });

  it('bulk cancel and compensate by ids: the others go on, each refused id listed with why; a dry run writes nothing', async () => {
    const { operator } = await setUp();
    const failed = await failedTask();
    const complete = await completeTask();
    const bulkCompensate = await routeOf(BULK_COMPENSATE);
    const bulkCancel = await routeOf(BULK_CANCEL);
    const before = await everything();
    const dry = await callHandler(bulkCompensate, 'POST', BULK_COMPENSATE, {
      headers: operator,
      body: { ids: [String(failed), String(complete), '424242'], dry_run: true },
    });
    expect(dry.status).toBe(200);
    expect((await dry.json()) as BulkActionResult).toEqual({
      action: 'compensate',
      dry_run: true,
      tasks: 1,
      steps: [{ name: 'first', count: 1 }],
      task_ids: [String(failed)],
      truncated: false,
      limit: 10_000,
      refused: [
        { id: String(complete), reason: 'the task is complete; only a task in error or cancelled can be compensated' },
        { id: '424242', reason: 'no such task' },
      ],
      refused_count: 2,
    });
    expect(await everything()).toBe(before);

    const noReason = await callHandler(bulkCompensate, 'POST', BULK_COMPENSATE, { headers: operator, body: { ids: [String(failed)] } });
    expect(noReason.status).toBe(422);
    expect(await everything()).toBe(before);

    const cancelled = await callHandler(bulkCancel, 'POST', BULK_CANCEL, {
      headers: operator,
      body: { ids: [String(failed), String(complete)], reason: 'clean-up' },
    });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({
      action: 'cancel',
      dry_run: false,
      tasks: 1,
      steps: [{ name: 'second', count: 1 }],
      refused: [{ id: String(complete) }],
    });
    const compensated = await callHandler(bulkCompensate, 'POST', BULK_COMPENSATE, {
      headers: operator,
      body: { filter: { status: ['cancelled'] }, reason: 'clean-up' },
    });
    expect(await compensated.json()).toMatchObject({ action: 'compensate', tasks: 1, task_ids: [String(failed)], refused: [] });
    const statuses = await queryRows<{ id: string; status: string }>(db(), sql`select id::text, status from tasks order by id`);
    expect(statuses).toEqual([
      { id: String(failed), status: 'compensating' },
      { id: String(complete), status: 'complete' },
    ]);
  });
});
