import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import type { ApiErrorBody, CreatedTasks, TaskDetail } from '../api/types';
import { countRows, saveSignupTemplate, snapshotState, startTestOrchestrator } from '../testing/failure-fixtures';
import { callHandler, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';
import { waitForTaskStatus } from '../testing/task-testing';

const ADMIN_TOKEN = 'create-tasks-route-admin-token-0123456789';
const testRuntime = registerRouteTestRuntime();

function signup(email: string, extra: Record<string, unknown> = {}) {
  return { namespace: 'tests', name: 'signup', context: { user_info: { email } }, ...extra };
}

describeEachDatabase('POST /api/v1/tasks/batch', (suite) => {
  async function postBatch(body: unknown, headers: Record<string, string> = {}) {
    const { POST } = await loadRouteHandlers(path.resolve('app/api/v1/tasks/batch/route.ts'));
    const response = await callHandler(POST!, 'POST', '/api/v1/tasks/batch', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as CreatedTasks & ApiErrorBody };
  }
  async function postOne(body: unknown) {
    const { POST } = await loadRouteHandlers(path.resolve('app/api/v1/tasks/route.ts'));
    const response = await callHandler(POST!, 'POST', '/api/v1/tasks', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body });
    return { status: response.status, body: (await response.json()) as TaskDetail & ApiErrorBody };
  }

  it('creates 1,000 tasks in one call with their steps, dependencies and audit rows, runnable by the orchestrator', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(suite.database, { billingFailures: 0 });
    const answer = await postBatch({ tasks: Array.from({ length: 1000 }, (_, index) => signup(`user${index}@example.com`)) });
    expect(answer.status).toBe(201);
    expect(answer.body.items).toHaveLength(1000);
    expect(answer.body.items.map((item) => item.index)).toEqual(Array.from({ length: 1000 }, (_, index) => index));
    expect(answer.body.items.every((item) => item.created && item.task.status === 'pending')).toBe(true);
    expect(answer.body.items[999]?.task.context).toEqual({ user_info: { email: 'user999@example.com', plan: 'free' } });
    expect(new Set(answer.body.items.map((item) => item.task.id)).size).toBe(1000);
    expect(new Set(answer.body.items.map((item) => item.task.correlation_id)).size).toBe(1000);

    const [rows] = await queryRows<Record<string, number>>(
      suite.database.db,
      sql`select (select count(*) from tasks)::int as tasks,
        (select count(*) from tasks where unfinished_steps = 4 and live_steps = 1 and created_by = 'admin')::int as counted,
        (select count(*) from steps)::int as steps, (select count(*) from steps where status = 'ready' and run_at is not null)::int as ready,
        (select count(*) from step_dependencies)::int as dependencies,
        (select count(*) from transitions where step_id is null and to_status = 'pending' and actor = 'admin')::int as task_transitions,
        (select count(*) from transitions where step_id is not null and reason = 'task created')::int as step_transitions`,
    );
    expect(rows).toEqual({
      tasks: 1000,
      counted: 1000,
      steps: 4000,
      ready: 1000,
      dependencies: 4000,
      task_transitions: 1000,
      step_transitions: 4000,
    });

    // The same rows as POST /tasks writes for one task of the template.
    const single = await postOne(signup('single@example.com'));
    expect(single.status).toBe(201);
    const shapeOf = (taskId: string) =>
      queryRows<{ shape: string }>(
        suite.database.db,
        sql`select coalesce(s.name, '-') || ':' || coalesce(tr.from_status, '') || '>' || tr.to_status || ':' || tr.reason as shape
          from transitions tr left join steps s on s.id = tr.step_id where tr.task_id = ${Number(taskId)} order by tr.id`,
      );
    expect(await shapeOf(answer.body.items[5]!.task.id)).toEqual(await shapeOf(single.body.id));

    await startTestOrchestrator(suite.database, testRuntime.orchestrators);
    for (const item of answer.body.items.slice(0, 3)) {
      await waitForTaskStatus(suite.database.db, Number(item.task.id), ['complete'], 60_000);
    }
  }, 120_000);

  it('refuses a batch with one bad item among 50, 422 naming each by its index, and writes nothing', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(suite.database);
    const before = { counts: await countRows(suite.database), state: await snapshotState(suite.database) };
    const tasks: unknown[] = Array.from({ length: 50 }, (_, index) => signup(`user${index}@example.com`));
    tasks[31] = signup('not an e-mail');
    const one = await postBatch({ tasks });
    expect(one.status).toBe(422);
    expect(one.body.error.code).toBe('invalid_input');
    expect(one.body.error.message).toBe('1 of 50 tasks are invalid; none was created');
    expect(one.body.error.details).toEqual([{ path: '/tasks/31/context/user_info/email', message: expect.any(String) }]);

    tasks[7] = { namespace: 'tests', name: 'no_such_template', context: {} };
    tasks[40] = signup('x@example.com', { version: '9.9.9' });
    tasks[44] = { namespace: 'tests', name: 'signup', context: { user_info: { email: 'y@example.com', plan: 'gold' } } };
    const several = await postBatch({ tasks });
    expect(several.status).toBe(422);
    expect(several.body.error.message).toBe('4 of 50 tasks are invalid; none was created');
    expect(several.body.error.details.map((detail) => detail.path)).toEqual([
      '/tasks/7/name',
      '/tasks/31/context/user_info/email',
      '/tasks/40/version',
      '/tasks/44/context/user_info/plan',
    ]);

    // The body's own schema, checked before anything else: the item's index in the path too.
    const malformed = await postBatch({ tasks: [signup('a@example.com'), { name: 'signup' }] });
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.details).toEqual([{ path: '/tasks/1/context', message: 'is required' }]);

    expect(await countRows(suite.database)).toEqual(before.counts);
    expect(await snapshotState(suite.database)).toBe(before.state);
  });

  it('answers an existing task, or an earlier item of the batch, for the same idempotency key or identity', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(suite.database);
    const stored = await postOne(signup('stored@example.com', { idempotency_key: 'key-stored' }));
    expect(stored.status).toBe(201);

    const batch = {
      tasks: [
        signup('new@example.com', { idempotency_key: 'key-new' }),
        signup('stored@example.com', { idempotency_key: 'key-stored' }),
        signup('new@example.com', { idempotency_key: 'key-new' }),
        signup('new@example.com', { idempotency_key: 'key-other' }),
        { namespace: 'tests', name: 'signup', context: { user_info: { email: 'stored@example.com', plan: 'pro' } } },
        signup('plain@example.com'),
      ],
    };
    const first = await postBatch(batch);
    expect(first.status).toBe(201);
    const ids = first.body.items.map((item) => item.task.id);
    expect(first.body.items.map((item) => item.created)).toEqual([true, false, false, false, false, true]);
    expect(ids).toEqual([ids[0], stored.body.id, ids[0], ids[0], stored.body.id, ids[5]]);
    expect(new Set(ids).size).toBe(3);

    // Sent again: every item answers its task, none is created.
    const again = await postBatch(batch);
    expect(again.status).toBe(200);
    expect(again.body.items.map((item) => item.task.id)).toEqual(ids);
    expect(again.body.items.every((item) => !item.created)).toBe(true);
    const [counts] = await queryRows<{ tasks: number }>(suite.database.db, sql`select count(*)::int as tasks from tasks`);
    expect(counts?.tasks).toBe(3);

    // A key used for a different request, stored or earlier in the batch: refused, nothing written.
    const before = await countRows(suite.database);
    const reused = await postBatch({
      tasks: [
        signup('fresh@example.com'),
        signup('other@example.com', { idempotency_key: 'key-stored' }),
        signup('a@example.com', { idempotency_key: 'key-twice' }),
        signup('b@example.com', { idempotency_key: 'key-twice' }),
      ],
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error.details).toEqual([
      { path: '/tasks/1/idempotency_key', message: expect.stringContaining(`task ${stored.body.id}`) },
      { path: '/tasks/3/idempotency_key', message: expect.stringContaining('/tasks/2') },
    ]);
    expect(await countRows(suite.database)).toEqual(before);
  });

  it('answers concurrent batches naming the same tasks with one task each, never 500', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(suite.database);
    // Each batch shares half of its identities with the next one, every other one in reverse order: the inserts race on them.
    const batches = Array.from({ length: 4 }, (_, batch) => {
      const tasks = Array.from({ length: 20 }, (_, index) => signup(`race${batch * 10 + index}@example.com`));
      return { tasks: batch % 2 === 0 ? tasks : tasks.reverse() };
    });
    const answers = await Promise.all(batches.map((batch) => postBatch(batch)));
    // 200 for a batch whose every task another batch created first.
    expect(answers.every((answer) => answer.status === 201 || answer.status === 200)).toBe(true);
    const idByEmail = new Map<string, string>();
    for (const answer of answers) {
      for (const item of answer.body.items) {
        const email = (item.task.context as { user_info: { email: string } }).user_info.email;
        expect(idByEmail.get(email) ?? item.task.id, email).toBe(item.task.id);
        idByEmail.set(email, item.task.id);
      }
    }
    expect(idByEmail.size).toBe(50);
    expect(answers.flatMap((answer) => answer.body.items).filter((item) => item.created)).toHaveLength(50);
    const [counts] = await queryRows<{ tasks: number; steps: number }>(
      suite.database.db,
      sql`select (select count(*) from tasks)::int as tasks, (select count(*) from steps)::int as steps`,
    );
    expect(counts).toEqual({ tasks: 50, steps: 200 });
  });

  it('takes 1 to 1,000 tasks: none, more, or a body over 1 MiB are refused', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(suite.database);
    const before = await countRows(suite.database);
    const empty = await postBatch({ tasks: [] });
    expect(empty.status).toBe(422);
    expect(empty.body.error.details).toEqual([{ path: '/tasks', message: expect.stringContaining('1') }]);
    const tooMany = await postBatch({ tasks: Array.from({ length: 1001 }, (_, index) => signup(`u${index}@example.com`)) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.details).toEqual([{ path: '/tasks', message: expect.stringContaining('1000') }]);
    const huge = await postBatch({
      tasks: [signup('big@example.com', { context: { user_info: { email: 'big@example.com' }, note: 'x'.repeat(1_100_000) } })],
    });
    expect(huge.status).toBe(413);
    const missing = await postBatch({});
    expect(missing.status).toBe(422);
    expect(await countRows(suite.database)).toEqual(before);
  });
});
