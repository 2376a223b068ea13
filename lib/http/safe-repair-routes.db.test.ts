import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import type { BulkActionProgress, BulkRetryResult, TaskDetail, TaskList } from '../api/types';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';
import { saveTestTemplate } from '../testing/task-testing';

const testRuntime = registerRouteTestRuntime();

async function handlerOf(path: string, method: 'GET' | 'POST') {
  const route = listRouteFiles().find((entry) => entry.path === path);
  if (!route) {
    throw new Error(`no route file for ${path}`);
  }
  return (await loadRouteHandlers(route.file))[method]!;
}

const RESOLVE = '/api/v1/tasks/{taskId}/steps/{step}/resolve';
const SKIP = '/api/v1/tasks/{taskId}/steps/{step}/skip';
const TASKS = '/api/v1/tasks';
const BULK_RETRY = '/api/v1/tasks/bulk/retry';
const BULK_ACTION = '/api/v1/bulk-actions/{bulkActionId}';

describeEachDatabase('resolve, skip, the repaired filter and bulk progress through the API', (suite) => {
  const db = () => suite.database.db;

  /** A task with `user` complete and `billing` (results_schema, skippable) in error (set with SQL: no orchestrator runs here). */
  async function failedTask(): Promise<number> {
    await saveTestTemplate(db(), {
      name: 'guarded',
      steps: [
        { name: 'user', handler: 'test.noop' },
        {
          name: 'billing',
          handler: 'test.noop',
          dependsOn: ['user'],
          skippable: true,
          resultsSchema: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^bill_' }, seats: { type: 'integer' } } },
        },
      ],
    });
    const { task } = await createTask(db(), { namespace: 'tests', name: 'guarded', context: {} });
    await db().execute(
      sql`update steps set status = 'complete', attempts = 1, results = '{}', completed_at = now() where task_id = ${task.id} and name = 'user'`,
    );
    await db().execute(
      sql`update steps set status = 'error', attempts = 1, pending_dependencies = 0 where task_id = ${task.id} and name = 'billing'`,
    );
    await db().execute(sql`update tasks set status = 'error', unfinished_steps = 1, live_steps = 0 where id = ${task.id}`);
    return task.id;
  }

  async function everything() {
    const [row] = await queryRows<{ state: string }>(
      db(),
      sql`select (select count(*) from transitions)::text || '/' ||
        (select string_agg(id || status || coalesce(results::text, ''), ',' order by id) from steps) || '/' ||
        (select string_agg(id || status, ',' order by id) from tasks) as state`,
    );
    return row!.state;
  }

  it('refuses results that do not match results_schema (422, each path) and a missing or blank reason, writing nothing; then resolves', async () => {
    await testRuntime.start(suite.database);
    const taskId = String(await failedTask());
    const resolve = await handlerOf(RESOLVE, 'POST');
    const skip = await handlerOf(SKIP, 'POST');
    const params = { taskId, step: 'billing' };
    const before = await everything();

    const refused = await callHandler(resolve, 'POST', RESOLVE, { params, body: { results: { id: 7, seats: 'two' }, reason: 'by hand' } });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({
      error: {
        code: 'invalid_input',
        message: 'The results do not match the results_schema of step billing',
        details: [
          { path: '/results/id', message: 'must be string' },
          { path: '/results/seats', message: 'must be integer' },
        ],
      },
    });
    for (const body of [{ results: { id: 'bill_1' } }, { results: { id: 'bill_1' }, reason: '' }, { results: { id: 'bill_1' }, reason: ' \n ' }]) {
      const noReason = await callHandler(resolve, 'POST', RESOLVE, { params, body });
      expect(noReason.status).toBe(422);
      expect(((await noReason.json()) as { error: { details: { path: string }[] } }).error.details.map((detail) => detail.path)).toEqual(['/reason']);
    }
    for (const body of [{}, { reason: '' }, { reason: '   ' }]) {
      const noReason = await callHandler(skip, 'POST', SKIP, { params, body });
      expect(noReason.status).toBe(422);
    }
    expect(await everything()).toBe(before);

    const resolved = await callHandler(resolve, 'POST', RESOLVE, { params, body: { results: { id: 'bill_1' }, reason: 'created by hand' } });
    expect(resolved.status).toBe(200);
    const detail = (await resolved.json()) as TaskDetail;
    expect(detail.status).toBe('complete');
    expect(detail.steps.find((step) => step.name === 'billing')).toMatchObject({
      status: 'resolved_manually',
      results: { id: 'bill_1' },
      results_schema: { required: ['id'] },
    });

    const list = await handlerOf(TASKS, 'GET');
    const repaired = (await (await callHandler(list, 'GET', TASKS, { query: '?repaired=true' })).json()) as TaskList;
    expect(repaired.items.map((item) => [item.id, item.status, item.repaired_steps])).toEqual([[taskId, 'complete', 1]]);
    const notRepaired = (await (await callHandler(list, 'GET', TASKS, { query: '?repaired=false' })).json()) as TaskList;
    expect(notRepaired.items).toEqual([]);
    const bad = await callHandler(list, 'GET', TASKS, { query: '?repaired=maybe' });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: { details: [{ path: '/repaired', message: 'must be boolean' }] } });
  });

  it('a bulk retry answers its bulk_action_id; GET /bulk-actions/{id} counts its tasks, and 404 for one that does not exist', async () => {
    await testRuntime.start(suite.database);
    const taskId = String(await failedTask());
    const retry = await handlerOf(BULK_RETRY, 'POST');
    const result = (await (
      await callHandler(retry, 'POST', BULK_RETRY, { body: { ids: [taskId], reason: 'billing is back' } })
    ).json()) as BulkRetryResult;
    expect(result).toMatchObject({ tasks: 1, bulk_action_id: expect.stringMatching(/^[0-9]+$/) as unknown });
    const progress = await handlerOf(BULK_ACTION, 'GET');
    const answer = await callHandler(progress, 'GET', BULK_ACTION, { params: { bulkActionId: result.bulk_action_id! } });
    expect(answer.status).toBe(200);
    expect((await answer.json()) as BulkActionProgress).toMatchObject({ action: 'retry', reason: 'billing is back', tasks: 1, failed: 0 });
    const list = await handlerOf(TASKS, 'GET');
    const tasks = (await (await callHandler(list, 'GET', TASKS, { query: `?bulk_action=${result.bulk_action_id}` })).json()) as TaskList;
    expect(tasks.items.map((item) => item.id)).toEqual([taskId]);
    const missing = await callHandler(progress, 'GET', BULK_ACTION, { params: { bulkActionId: '987654' } });
    expect(missing.status).toBe(404);
    expect((await callHandler(progress, 'GET', BULK_ACTION, { params: { bulkActionId: 'abc' } })).status).toBe(404);
  });
});
