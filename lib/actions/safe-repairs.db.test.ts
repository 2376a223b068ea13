import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { startOrchestrator, type Orchestrator } from '../engine/runner';
import { AppError } from '../errors';
import { defaultHandlerRegistry } from '../handlers/index';
import { getBulkActionProgressOrThrow } from '../reads/get-bulk-action-progress';
import { getTaskDetailOrThrow } from '../reads/get-task-detail';
import { listTasks } from '../reads/list-tasks';
import { saveTestTemplate, waitForTaskStatus } from '../testing/task-testing';
import { bulkRetryTasks } from './bulk-retry-tasks';
import { createTask } from './create-task';
import { resolveStep } from './resolve-step';
import { skipStep } from './skip-step';

const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const BILLING_RESULTS_SCHEMA = {
  type: 'object',
  required: ['id', 'plan'],
  properties: {
    id: { type: 'string', pattern: '^bill_' },
    plan: { enum: ['free', 'pro'] },
    seats: { type: 'integer', minimum: 1, default: 1 },
  },
};

describeEachDatabase('safe repairs', (suite) => {
  /** A task whose `billing` step (results_schema declared, skippable) fails for good, with `welcome` waiting on it. */
  async function createFailedTask() {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'guarded_signup',
      steps: [
        { name: 'user', handler: 'test.noop', handlerConfig: { result: { user_id: 7 } } },
        {
          name: 'billing',
          handler: 'test.fail',
          handlerConfig: { kind: 'permanent' },
          dependsOn: ['user'],
          skippable: true,
          resultsSchema: BILLING_RESULTS_SCHEMA,
        },
        { name: 'welcome', handler: 'test.echo', dependsOn: ['billing'] },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'guarded_signup', context: { email: 'ann@example.com' } });
    const orchestrator = await startOrchestrator({ database: suite.database, handlers, pollIntervalMs: 50, shutdownGraceMs: 100 });
    running.push(orchestrator);
    expect(await waitForTaskStatus(db, task.id, ['error', 'complete'])).toBe('error');
    return task;
  }

  /** What a refused action must leave as it was: the steps, the task and its audit trail. */
  async function snapshot(taskId: number) {
    const { db } = suite.database;
    return {
      steps: await queryRows(db, sql`select name, status, results, completed_at from steps where task_id = ${taskId} order by position`),
      task: await queryRows(db, sql`select status, unfinished_steps, live_steps, updated_at from tasks where id = ${taskId}`),
      transitions: await queryRows(db, sql`select count(*)::int as count from transitions where task_id = ${taskId}`),
    };
  }

  it('refuses results that do not match the step’s results_schema, with every path, and writes nothing', async () => {
    const { db } = suite.database;
    const task = await createFailedTask();
    const before = await snapshot(task.id);

    const refused = await refusal(
      resolveStep(db, { taskId: task.id, step: 'billing', results: { id: 42, plan: 'gold', seats: 0 }, actor: 'carol', reason: 'by hand' }),
    );
    expect(refused.code).toBe('invalid_input');
    expect(refused.message).toMatch(/results_schema of step billing/);
    expect(refused.details).toEqual([
      { path: '/results/id', message: 'must be string' },
      { path: '/results/plan', message: "must be one of: 'free', 'pro'" },
      { path: '/results/seats', message: 'must be >= 1' },
    ]);
    const empty = await refusal(resolveStep(db, { taskId: task.id, step: 'billing', results: {}, actor: 'carol', reason: 'by hand' }));
    expect(empty.details).toEqual([
      { path: '/results/id', message: 'is required' },
      { path: '/results/plan', message: 'is required' },
    ]);
    const notObject = await refusal(resolveStep(db, { taskId: task.id, step: 'billing', results: 'bill_1', actor: 'carol', reason: 'by hand' }));
    expect(notObject.details).toEqual([{ path: '/results', message: 'must be object' }]);
    expect(await snapshot(task.id)).toEqual(before);

    // Matching results are taken, with the schema's defaults filled in, and the task goes on.
    await resolveStep(db, { taskId: task.id, step: 'billing', results: { id: 'bill_42', plan: 'pro' }, actor: 'carol', reason: 'created by hand' });
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    const detail = await getTaskDetailOrThrow(db, task.id);
    const billing = detail.steps.find((step) => step.name === 'billing');
    expect(billing).toMatchObject({
      status: 'resolved_manually',
      results: { id: 'bill_42', plan: 'pro', seats: 1 },
      results_schema: BILLING_RESULTS_SCHEMA,
    });
    expect(detail.steps.find((step) => step.name === 'user')?.results_schema).toBeNull();
  });

  it('refuses to resolve or skip without a reason (missing, empty or blank), and writes nothing', async () => {
    const { db } = suite.database;
    const task = await createFailedTask();
    const before = await snapshot(task.id);
    for (const reason of [undefined, '', '  \t\n']) {
      const resolve = await refusal(
        resolveStep(db, { taskId: task.id, step: 'billing', results: { id: 'bill_1', plan: 'free' }, actor: 'dan', reason }),
      );
      expect(resolve.code).toBe('invalid_input');
      expect(resolve.details).toEqual([{ path: '/reason', message: expect.stringMatching(/^is required/) as unknown }]);
      const skip = await refusal(skipStep(db, { taskId: task.id, step: 'billing', actor: 'dan', reason }));
      expect(skip.code).toBe('invalid_input');
      expect(skip.details.map((detail) => detail.path)).toEqual(['/reason']);
    }
    expect(await snapshot(task.id)).toEqual(before);

    await skipStep(db, { taskId: task.id, step: 'billing', actor: 'dan', reason: '  free plan, no billing  ' });
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    const trail = await queryRows<{ to_status: string; reason: string; actor: string }>(
      db,
      sql`select t.to_status, t.reason, t.actor from transitions t join steps s on s.id = t.step_id where t.task_id = ${task.id} and s.name = 'billing' and t.to_status = 'skipped'`,
    );
    expect(trail).toEqual([{ to_status: 'skipped', reason: 'free plan, no billing', actor: 'dan' }]);
  });

  it('finds the tasks completed with repairs (repaired=true), and those without (repaired=false)', async () => {
    const { db } = suite.database;
    const resolved = await createFailedTask();
    await resolveStep(db, { taskId: resolved.id, step: 'billing', results: { id: 'bill_1', plan: 'free' }, actor: 'ops', reason: 'by hand' });
    const skipped = await createFailedTask();
    await skipStep(db, { taskId: skipped.id, step: 'billing', actor: 'ops', reason: 'free plan' });
    const stillFailed = await createFailedTask();
    await saveTestTemplate(db, { name: 'plain', steps: [{ name: 'only', handler: 'test.noop' }] });
    const { task: plain } = await createTask(db, { namespace: 'tests', name: 'plain', context: {} });
    for (const task of [resolved, skipped, plain]) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    const ids = async (filter: Parameters<typeof listTasks>[1]) => (await listTasks(db, filter)).items.map((item) => Number(item.id));

    expect(await ids({ repaired: true, limit: 50 })).toEqual([skipped.id, resolved.id]);
    expect(await ids({ repaired: true, status: ['complete'], limit: 50 })).toEqual([skipped.id, resolved.id]);
    expect(await ids({ repaired: false, limit: 50 })).toEqual([plain.id, stillFailed.id]);
    expect(await ids({ repaired: true, limit: 1 })).toEqual([skipped.id]);
    const page = await listTasks(db, { limit: 50 });
    expect(Object.fromEntries(page.items.map((item) => [Number(item.id), item.repaired_steps]))).toEqual({
      [resolved.id]: 1,
      [skipped.id]: 1,
      [stillFailed.id]: 0,
      [plain.id]: 0,
    });
  });

  it('follows a bulk retry: its tasks (GET /tasks?bulk_action), done / failed / still waiting, and the services holding them back', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'flaky_billing',
      steps: [
        { name: 'user', handler: 'test.noop' },
        { name: 'billing', handler: 'test.fail', handlerConfig: { kind: 'permanent', times: 1 }, service: 'billing', dependsOn: ['user'] },
      ],
    });
    const created = [];
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) {
      created.push((await createTask(db, { namespace: 'tests', name: 'flaky_billing', context: { email } })).task);
    }
    const orchestrator = await startOrchestrator({ database: suite.database, handlers, pollIntervalMs: 50, shutdownGraceMs: 100 });
    running.push(orchestrator);
    for (const task of created) {
      expect(await waitForTaskStatus(db, task.id, ['error', 'complete'])).toBe('error');
    }
    const [first, second, third] = created as [(typeof created)[0], (typeof created)[0], (typeof created)[0]];

    // Billing's circuit is open and it is held: a retry of its steps waits, and the progress says why.
    await db.execute(sql`insert into service_circuits (service, state, open_until) values ('billing', 'open', now() + interval '1 hour')`);
    await db.execute(sql`insert into service_holds (service, reason, held_by) values ('billing', 'billing deploy', 'ops')`);
    const retried = await bulkRetryTasks(db, { ids: [first.id, second.id], dryRun: false, actor: 'ops', reason: 'billing is back' });
    expect(retried).toMatchObject({ tasks: 2, bulk_action_id: expect.any(String) as unknown });
    const bulkActionId = Number(retried.bulk_action_id);
    const waiting = await getBulkActionProgressOrThrow(db, bulkActionId);
    expect(waiting).toMatchObject({ action: 'retry', actor: 'ops', reason: 'billing is back', tasks: 2, done: 0, failed: 0, waiting: 2, other: 0 });
    expect(waiting.blocked_services).toEqual([
      {
        service: 'billing',
        circuit: 'open',
        next_probe_at: expect.any(String) as unknown,
        held: true,
        hold_reason: 'billing deploy',
        waiting_steps: 2,
      },
    ]);
    expect((await listTasks(db, { bulk_action: String(bulkActionId), limit: 50 })).items.map((item) => Number(item.id))).toEqual([
      second.id,
      first.id,
    ]);

    // Once billing is closed and released, the retried tasks complete; the third, not retried, stays in error.
    await db.execute(sql`delete from service_holds`);
    await db.execute(sql`delete from service_circuits`);
    for (const task of [first, second]) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    expect(await getBulkActionProgressOrThrow(db, bulkActionId)).toMatchObject({ tasks: 2, done: 2, failed: 0, waiting: 0, blocked_services: [] });
    expect((await getTaskDetailOrThrow(db, third.id)).status).toBe('error');
    await expect(getBulkActionProgressOrThrow(db, bulkActionId + 1000)).rejects.toMatchObject({ code: 'not_found' });
  });
});
