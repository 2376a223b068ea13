import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { resolveStep } from '../actions/resolve-step';
import { retryStep } from '../actions/retry-step';
import { saveTestTemplate } from '../testing/task-testing';
import { getTaskDetailOrThrow } from './get-task-detail';
import { groupFailures } from './group-failures';
import { listTasks } from './list-tasks';
import { readStuckSteps } from './stuck-steps';

/**
 * waiting_reason for each kind (issue 14 item 2), read in one place (lib/reads/waiting-reason-sql.ts) by
 * the task detail, the task list and Failures; and the stuck clock cleared by an operator's retry.
 */
describeEachDatabase('waiting_reason', (suite) => {
  async function setUp() {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'two_services',
      steps: [
        { name: 'first', handler: 'test.noop', service: 'user' },
        { name: 'second', handler: 'test.noop', service: 'billing', dependsOn: ['first'] },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'two_services', context: {} });
    await db.execute(sql`update tasks set status = 'in_progress' where id = ${task.id}`);
    const setFirst = (assignments: ReturnType<typeof sql>) =>
      db.execute(sql`update steps set ${assignments} where task_id = ${task.id} and name = 'first'`);
    const reasons = async () => {
      const detail = await getTaskDetailOrThrow(db, task.id);
      return Object.fromEntries(detail.steps.map((step) => [step.name, step.waiting_reason]));
    };
    const listed = async () => (await listTasks(db, { limit: 10 })).items.find((item) => item.id === String(task.id))!;
    return { db, task, setFirst, reasons, listed };
  }

  it('names each kind: dependencies, backoff, circuit_open, held, rate_limited; none for a step due now, running or done', async () => {
    const { db, setFirst, reasons, listed } = await setUp();
    // Ready and due: the next free worker takes it; its dependent waits on it.
    expect(await reasons()).toEqual({ first: null, second: { kind: 'dependencies' } });
    expect((await listed()).waiting_reason).toBeNull();

    // backoff: waiting to retry until its next attempt; the list names the step.
    await setFirst(sql`status = 'waiting_retry', run_at = now() + interval '40 seconds', waiting_since = now() - interval '2 minutes', attempts = 1,
      last_error = jsonb_build_object('class', 'RetryableError', 'message', 'user service timed out after 5000 ms', 'http_status', 503, 'at', now())`);
    const backoff = (await reasons()).first;
    expect(backoff).toEqual({ kind: 'backoff', until: expect.any(String) as string, since: expect.any(String) as string });
    expect(Date.parse(backoff!.until!) - Date.now()).toBeGreaterThan(30_000);
    expect(Date.now() - Date.parse(backoff!.since!)).toBeGreaterThan(110_000);
    const item = await listed();
    expect(item.waiting_reason).toMatchObject({ kind: 'backoff', step: 'first' });
    expect(item.last_error).toEqual({
      step: 'first',
      signature: 'RetryableError | HTTP 503 | user service timed out after <n> ms',
      message: 'user service timed out after 5000 ms',
      at: expect.any(String) as string,
    });

    // circuit_open: until the circuit's next probe, whatever the step's own time.
    await db.execute(sql`insert into service_circuits (service, state, consecutive_failures, opened_at, open_until)
      values ('user', 'open', 5, now() - interval '1 minute', now() + interval '12 seconds')`);
    const circuit = (await reasons()).first;
    expect(circuit).toMatchObject({ kind: 'circuit_open', service: 'user' });
    expect(Date.parse(circuit!.until!) - Date.now()).toBeLessThan(13_000);
    expect((await listed()).waiting_reason).toMatchObject({ kind: 'circuit_open', service: 'user', step: 'first' });

    // held: an operator's hold comes before the circuit; it has no end time.
    await db.execute(sql`insert into service_holds (service, reason, held_by) values ('user', 'provider maintenance', 'ops')`);
    expect((await reasons()).first).toEqual({ kind: 'held', service: 'user', since: expect.any(String) as string });

    // rate_limited: the service said "too many requests".
    await db.execute(sql`delete from service_holds`);
    await db.execute(sql`delete from service_circuits`);
    await setFirst(sql`rate_limited_since = now() - interval '30 seconds'`);
    expect((await reasons()).first).toMatchObject({ kind: 'rate_limited', service: 'user', until: expect.any(String) as string });
    // Failures shows the rate-limited step at once as a wait on its service, not as a retrying failure.
    const failures = await groupFailures(db, { stuckAfterSeconds: 60 });
    expect(failures.waiting_groups).toEqual([
      expect.objectContaining({ step: 'first', service: 'user', kind: 'rate_limited', count: 1, stuck: 1, circuit: null, hold: null }),
    ]);
    expect(failures.groups).toEqual([]);

    // Running, and done: no waiting reason.
    await setFirst(sql`status = 'in_progress', rate_limited_since = null, run_at = null`);
    expect((await reasons()).first).toBeNull();
    await setFirst(sql`status = 'complete', completed_at = now()`);
    expect((await reasons()).first).toBeNull();
  });

  it('counts a step stuck by its clock, which an operator retry or resolve clears', async () => {
    const { db, task, setFirst } = await setUp();
    await setFirst(sql`status = 'waiting_retry', run_at = now() + interval '1 hour', waiting_since = now() - interval '10 minutes', attempts = 2,
      last_error = jsonb_build_object('class', 'RetryableError', 'message', 'down', 'at', now())`);
    expect(await readStuckSteps(db, { stuckAfterSeconds: 300 })).toMatchObject({ stuckTasks: 1, stuckSteps: 1 });
    const [indexed] = await queryRows<{ same: boolean }>(
      db,
      sql`select f.retrying_since = s.waiting_since as same from failing_steps f join steps s on s.id = f.step_id where s.task_id = ${task.id}`,
    );
    expect(indexed?.same).toBe(true);
    expect((await groupFailures(db, { stuckAfterSeconds: 300 })).groups).toEqual([
      expect.objectContaining({ step: 'first', step_status: 'waiting_retry', count: 1 }),
    ]);

    await retryStep(db, { taskId: task.id, step: 'first', actor: 'ops', reason: 'billing is back' });
    const [retried] = await queryRows<{ waiting_since: string | null }>(
      db,
      sql`select waiting_since::text from steps where task_id = ${task.id} and name = 'first'`,
    );
    expect(retried?.waiting_since).toBeNull();
    expect(await readStuckSteps(db, { stuckAfterSeconds: 300 })).toMatchObject({ stuckTasks: 0, stuckSteps: 0 });

    await setFirst(sql`status = 'waiting_retry', waiting_since = now() - interval '10 minutes'`);
    await resolveStep(db, { taskId: task.id, step: 'first', results: { id: 'u1' }, actor: 'ops', reason: 'created by hand' });
    const [resolved] = await queryRows<{ waiting_since: string | null }>(
      db,
      sql`select waiting_since::text from steps where task_id = ${task.id} and name = 'first'`,
    );
    expect(resolved?.waiting_since).toBeNull();
  });
});
