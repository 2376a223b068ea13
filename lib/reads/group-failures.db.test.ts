import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { bulkRetryTasks } from '../actions/bulk-retry-tasks';
import { createTask } from '../actions/create-task';
import type { Orchestrator } from '../engine/runner';
import { createFailedSignups, saveSignupTemplate, startTestOrchestrator } from '../testing/failure-fixtures';
import { saveTestTemplate, waitFor } from '../testing/task-testing';
import { groupFailures } from './group-failures';
import { listTasks } from './list-tasks';

const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

describeEachDatabase('groupFailures', (suite) => {
  it('groups failed tasks by template, step and error signature, with what the tasks had already done', async () => {
    const { database } = suite;
    await saveSignupTemplate(database);
    const ids = await createFailedSignups(database, ['a@example.com', 'b@example.com', 'c@example.com'], running);
    // Another order number is the same failure; another HTTP status is not.
    await database.db.execute(
      sql`update steps set last_error = jsonb_set(last_error, '{message}', '"card declined for order 98765"') where task_id = ${ids[1]!} and name = 'billing'`,
    );
    await database.db.execute(
      sql`update steps set last_error = last_error || '{"http_status": 402}' where task_id = ${ids[2]!} and name = 'billing'`,
    );

    const { groups } = await groupFailures(database.db, { stuckAfterSeconds: 10 * 60 });
    expect(groups).toHaveLength(2);
    const [big, small] = groups;
    expect(big).toMatchObject({
      namespace: 'tests',
      name: 'signup',
      step: 'billing',
      step_status: 'error',
      signature: 'test_permanent | card declined for order <n>',
      error_class: 'PermanentError',
      error_code: 'test_permanent',
      http_status: null,
      message: 'card declined for order <n>',
      count: 2,
      sample_task_ids: [String(ids[1]), String(ids[0])],
      sample_task_id: String(ids[1]),
      partial_state: [
        { step: 'user', service: null, status_counts: { complete: 2 } },
        { step: 'billing', service: null, status_counts: { error: 2 } },
        { step: 'preferences', service: null, status_counts: { complete: 2 } },
        { step: 'welcome', service: null, status_counts: { pending: 2 } },
      ],
    });
    expect(big!.error_signature).toMatch(/^[0-9a-f]{32}$/);
    expect(big!.filter).toEqual({
      namespace: 'tests',
      name: 'signup',
      step: 'billing',
      step_status: ['error'],
      status: ['error'],
      error_signature: big!.error_signature,
    });
    expect(Date.parse(big!.first_seen)).toBeLessThanOrEqual(Date.parse(big!.last_seen));
    expect(small).toMatchObject({ signature: 'test_permanent | HTTP 402 | card declined for order <n>', count: 1, http_status: 402 });

    // The group's filter selects exactly its tasks in the task list...
    const filter = big!.filter;
    const listed = await listTasks(database.db, { limit: 50, ...filter });
    expect(listed.items.map((item) => Number(item.id)).sort((a, b) => a - b)).toEqual([ids[0], ids[1]]);
    // ...and in a bulk retry.
    const dryRun = await bulkRetryTasks(database.db, {
      filter,
      dryRun: true,
      actor: 'ops',
    });
    expect(dryRun).toMatchObject({ tasks: 2, steps: [{ name: 'billing', count: 2 }] });

    expect((await groupFailures(database.db, { stuckAfterSeconds: 10 * 60, namespace: 'elsewhere' })).groups).toEqual([]);
    expect((await groupFailures(database.db, { stuckAfterSeconds: 10 * 60, namespace: 'tests', name: 'signup' })).groups).toHaveLength(2);
  });

  it('counts a step retrying for longer than the threshold as stuck', async () => {
    const { database } = suite;
    await saveTestTemplate(database.db, {
      name: 'slow_partner',
      steps: [
        {
          name: 'call',
          handler: 'test.fail',
          handlerConfig: { kind: 'retryable', message: 'partner timed out after 30000 ms' },
          backoff: { baseSeconds: 3600, maxSeconds: 3600, jitter: false },
        },
      ],
    });
    const { task } = await createTask(database.db, { namespace: 'tests', name: 'slow_partner', context: {} });
    const { task: recent } = await createTask(database.db, { namespace: 'tests', name: 'slow_partner', context: { n: 2 } });
    const orchestrator = await startTestOrchestrator(database, running);
    await waitFor(async () => {
      const [waiting] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from steps where status = 'waiting_retry'`);
      return waiting!.n === 2;
    });
    await orchestrator.stop();
    expect((await groupFailures(database.db, { stuckAfterSeconds: 10 * 60 })).groups).toEqual([]);

    // failing_steps keeps the stuck clock: steps.waiting_since, when the round became due (at or before its first attempt).
    const [clock] = await queryRows<{ same: boolean; before_attempt: boolean }>(
      database.db,
      sql`select f.retrying_since = s.waiting_since as same, s.waiting_since <= a.started_at as before_attempt
          from failing_steps f join steps s on s.id = f.step_id join step_attempts a on a.step_id = f.step_id and a.number = 1
          where f.task_id = ${task.id}`,
    );
    expect(clock).toEqual({ same: true, before_attempt: true });
    // Eleven minutes pass.
    await database.db.execute(sql`update step_attempts set started_at = started_at - interval '11 minutes' where task_id = ${task.id}`);
    await database.db.execute(sql`update failing_steps set retrying_since = retrying_since - interval '11 minutes' where task_id = ${task.id}`);
    const { groups } = await groupFailures(database.db, { stuckAfterSeconds: 10 * 60 });
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      name: 'slow_partner',
      step: 'call',
      step_status: 'waiting_retry',
      signature: 'test_retryable | partner timed out after <n> ms',
      count: 1,
      sample_task_ids: [String(task.id)],
    });
    const filter = groups[0]!.filter;
    expect(filter).toEqual({
      namespace: 'tests',
      name: 'slow_partner',
      step: 'call',
      step_status: ['waiting_retry'],
      error_signature: groups[0]!.error_signature,
      retrying_before: expect.any(String) as string,
    });
    // The filter selects what was counted: the stuck task, not the one retrying for a minute.
    const { items } = await listTasks(database.db, { ...filter, limit: 50 });
    expect(items.map((item) => item.id)).toEqual([String(task.id)]);
    const dryRun = await bulkRetryTasks(database.db, { filter, dryRun: true, actor: 'ops' });
    expect(dryRun).toMatchObject({ tasks: 1, task_ids: [String(task.id)] });
    // Without a step status, the list and the retry both read retrying_before as about retrying steps.
    const withoutStatus = { ...filter, step_status: undefined };
    expect((await listTasks(database.db, { ...withoutStatus, limit: 50 })).items.map((item) => item.id)).toEqual([String(task.id)]);
    expect(await bulkRetryTasks(database.db, { filter: withoutStatus, dryRun: true, actor: 'ops' })).toMatchObject({ tasks: 1 });
    expect(items.map((item) => item.id)).not.toContain(String(recent.id));
    expect((await groupFailures(database.db, { stuckAfterSeconds: 12 * 60 })).groups).toEqual([]);
  });
});
