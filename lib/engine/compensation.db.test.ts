import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { cancelTask } from '../actions/cancel-task';
import { compensateTask } from '../actions/compensate-task';
import { createTask } from '../actions/create-task';
import { resolveStep } from '../actions/resolve-step';
import { retryStep } from '../actions/retry-step';
import { ConflictError } from '../errors';
import { defaultHandlerRegistry } from '../handlers/index';
import type { CompensationTemplate } from '../templates/template-definition';
import { readAttempts, saveTestTemplate, waitForTaskStatus, type TestStep } from '../testing/task-testing';
import { startOrchestrator, type Orchestrator } from './runner';

const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

const fast = { baseSeconds: 0.01, maxSeconds: 0.05, jitter: false };

function undo(handler = 'test.noop', handlerConfig: Record<string, unknown> = {}): CompensationTemplate {
  return { handler, handlerConfig, service: null, timeoutSeconds: 5, retryLimit: 3 };
}

/** a → b, a → c, b + c → d, d → e; e fails for good, so a to d complete and the task ends in error. */
function diamond(
  compensation: CompensationTemplate = undo(),
  last: TestStep = { name: 'e', handler: 'test.fail', handlerConfig: { kind: 'permanent' } },
): TestStep[] {
  return [
    { name: 'a', handler: 'test.noop', compensation, backoff: fast },
    { name: 'b', handler: 'test.noop', dependsOn: ['a'], compensation, backoff: fast },
    { name: 'c', handler: 'test.noop', dependsOn: ['a'], compensation, backoff: fast },
    { name: 'd', handler: 'test.noop', dependsOn: ['b', 'c'], compensation, backoff: fast },
    { ...last, dependsOn: ['d'] },
  ];
}

describeEachDatabase('compensation', (suite) => {
  const db = () => suite.database.db;

  async function start(concurrency = 10) {
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers,
      concurrency,
      pollIntervalMs: 50,
      leaseSeconds: 10,
      shutdownGraceMs: 100,
    });
    running.push(orchestrator);
    return orchestrator;
  }

  async function failedTask(steps: TestStep[] = diamond(), name = 'diamond') {
    await saveTestTemplate(db(), { name, steps });
    const { task } = await createTask(db(), { namespace: 'tests', name, context: {} });
    expect(await waitForTaskStatus(db(), task.id, ['error', 'complete'])).toBe('error');
    return task.id;
  }

  async function stepStatuses(taskId: number) {
    const rows = await queryRows<{ name: string; status: string; kind: string; attempts: number }>(
      db(),
      sql`select name, status, kind, attempts from steps where task_id = ${taskId} order by position`,
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.status]));
  }

  async function changeCount() {
    const [row] = await queryRows<{ changes: string }>(
      db(),
      sql`select ((select count(*) from transitions) + (select count(*) from steps) + (select count(*) from step_dependencies))::text || '/' ||
        (select string_agg(status || ':' || unfinished_steps || ':' || live_steps, ',' order by id) from tasks) as changes`,
    );
    return row!.changes;
  }

  it('undoes a diamond in reverse order: d, then b and c, then a (attempt times); the task ends compensated', async () => {
    await start();
    const taskId = await failedTask();
    const result = await compensateTask(db(), { taskId, actor: 'ops', reason: 'the order was withdrawn' });
    expect(result.status).toBe('compensating');
    expect(result.compensations.map((entry) => [entry.step, entry.depends_on])).toEqual([
      ['compensate.d', []],
      ['compensate.c', ['compensate.d']],
      ['compensate.b', ['compensate.d']],
      ['compensate.a', ['compensate.b', 'compensate.c']],
    ]);
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('compensated');
    expect(await stepStatuses(taskId)).toEqual({
      a: 'compensated',
      b: 'compensated',
      c: 'compensated',
      d: 'compensated',
      e: 'cancelled',
      'compensate.d': 'complete',
      'compensate.c': 'complete',
      'compensate.b': 'complete',
      'compensate.a': 'complete',
    });
    const attempts = await readAttempts(db(), taskId);
    const of = (step: string) => attempts.find((attempt) => attempt.step === step)!;
    expect(of('compensate.d').finishedAt!).toBeLessThanOrEqual(of('compensate.b').startedAt);
    expect(of('compensate.d').finishedAt!).toBeLessThanOrEqual(of('compensate.c').startedAt);
    expect(of('compensate.b').finishedAt!).toBeLessThanOrEqual(of('compensate.a').startedAt);
    expect(of('compensate.c').finishedAt!).toBeLessThanOrEqual(of('compensate.a').startedAt);
    // Every change is in the audit trail, with its actor.
    const trail = await queryRows<{ step: string | null; from_status: string | null; to_status: string; actor: string }>(
      db(),
      sql`select s.name as step, t.from_status, t.to_status, t.actor from transitions t left join steps s on s.id = t.step_id
          where t.task_id = ${taskId} order by t.id`,
    );
    expect(trail).toContainEqual({ step: null, from_status: 'error', to_status: 'compensating', actor: 'ops' });
    expect(trail).toContainEqual({ step: 'e', from_status: 'error', to_status: 'cancelled', actor: 'ops' });
    expect(trail).toContainEqual({ step: 'a', from_status: 'complete', to_status: 'compensated', actor: 'system' });
    expect(trail).toContainEqual({ step: null, from_status: 'compensating', to_status: 'compensated', actor: 'system' });
    const [task] = await queryRows<{ unfinished_steps: number; live_steps: number; completed_at: Date | null }>(
      db(),
      sql`select unfinished_steps, live_steps, completed_at from tasks where id = ${taskId}`,
    );
    expect(task).toMatchObject({ unfinished_steps: 0, live_steps: 0 });
    expect(task!.completed_at).not.toBeNull();
  });

  it('a dry run lists the compensations in order and writes nothing; so does every refusal', async () => {
    const taskId = await (async () => {
      await start();
      return failedTask();
    })();
    await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
    const before = await changeCount();
    const dry = await compensateTask(db(), { taskId, actor: 'ops', dryRun: true });
    expect(dry).toMatchObject({ dry_run: true, status: 'error' });
    expect(dry.compensations.map((entry) => entry.step)).toEqual(['compensate.d', 'compensate.c', 'compensate.b', 'compensate.a']);
    expect(await changeCount()).toBe(before);

    // A complete task, a pending one, and one with nothing to compensate are refused; nothing changes.
    await saveTestTemplate(db(), { name: 'plain', steps: [{ name: 'x', handler: 'test.noop' }] });
    const { task: pending } = await createTask(db(), { namespace: 'tests', name: 'plain', context: {} });
    const snapshot = await changeCount();
    await expect(compensateTask(db(), { taskId: pending.id, actor: 'ops', reason: 'r' })).rejects.toThrow(/only a task in error or cancelled/);
    await cancelTask(db(), { taskId: pending.id, actor: 'ops', reason: 'not needed' });
    const cancelled = await changeCount();
    await expect(compensateTask(db(), { taskId: pending.id, actor: 'ops', reason: 'r' })).rejects.toThrow(/Nothing to compensate/);
    expect(await changeCount()).toBe(cancelled);
    expect(snapshot).not.toBe(cancelled);
    await expect(compensateTask(db(), { taskId: 999_999, actor: 'ops', reason: 'r' })).rejects.toThrow(/not found|No task/i);

    // Once compensated, it cannot be compensated again.
    await compensateTask(db(), { taskId, actor: 'ops', reason: 'undo' });
    await start();
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('compensated');
    const done = await changeCount();
    await expect(compensateTask(db(), { taskId, actor: 'ops', reason: 'again' })).rejects.toBeInstanceOf(ConflictError);
    expect(await changeCount()).toBe(done);
  });

  it('retries a compensation that fails retryably, then it succeeds', async () => {
    await start();
    const taskId = await failedTask(diamond(undo('test.fail', { kind: 'retryable', times: 1 })), 'flaky_undo');
    await compensateTask(db(), { taskId, actor: 'ops', reason: 'undo' });
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('compensated');
    const attempts = await readAttempts(db(), taskId);
    for (const step of ['compensate.a', 'compensate.b', 'compensate.c', 'compensate.d']) {
      expect(attempts.filter((attempt) => attempt.step === step).map((attempt) => attempt.outcome)).toEqual(['retryable_error', 'complete']);
    }
  });

  it('a compensation that fails for good leaves the task in error; retried, it finishes the compensation', async () => {
    await start();
    const steps = diamond();
    steps[0] = { ...steps[0]!, compensation: undo('test.fail', { kind: 'permanent', times: 1 }) };
    const taskId = await failedTask(steps, 'stubborn_undo');
    await compensateTask(db(), { taskId, actor: 'ops', reason: 'undo' });
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('error');
    expect(await stepStatuses(taskId)).toMatchObject({ a: 'complete', b: 'compensated', 'compensate.a': 'error' });
    // An error task in the middle of its compensation is not compensated again: its compensation step is retried.
    await retryStep(db(), { taskId, step: 'compensate.a', actor: 'ops', reason: 'the record was unlocked' });
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('compensated');
    expect(await stepStatuses(taskId)).toMatchObject({ a: 'compensated', 'compensate.a': 'complete' });
  });

  it('compensating again a task whose compensation failed for good runs that compensation again (the same step row)', async () => {
    await start();
    const steps = diamond();
    steps[0] = { ...steps[0]!, compensation: undo('test.fail', { kind: 'permanent', times: 1 }) };
    const taskId = await failedTask(steps, 'undo_again');
    await compensateTask(db(), { taskId, actor: 'ops', reason: 'undo' });
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('error');
    const again = await compensateTask(db(), { taskId, actor: 'ops', reason: 'undo the rest' });
    expect(again.compensations.map((entry) => entry.step)).toEqual(['compensate.a']);
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('compensated');
    const rows = await queryRows<{ name: string; attempts: number }>(
      db(),
      sql`select name, attempts from steps where task_id = ${taskId} and kind = 'compensation' order by name`,
    );
    expect(rows.find((row) => row.name === 'compensate.a')).toEqual({ name: 'compensate.a', attempts: 2 });
    expect(rows).toHaveLength(4);
    const trail = await queryRows<{ from_status: string | null; to_status: string }>(
      db(),
      sql`select t.from_status, t.to_status from transitions t join steps s on s.id = t.step_id
          where s.task_id = ${taskId} and s.name = 'compensate.a' and t.actor = 'ops' order by t.id`,
    );
    expect(trail).toEqual([
      { from_status: null, to_status: 'pending' },
      { from_status: 'error', to_status: 'ready' },
    ]);
  });

  it('a compensation resolved by hand counts as done: the step it undoes is compensated, and the task', async () => {
    await start();
    const steps = diamond();
    steps[0] = { ...steps[0]!, compensation: undo('test.fail', { kind: 'permanent' }) };
    const taskId = await failedTask(steps, 'manual_undo');
    await compensateTask(db(), { taskId, actor: 'ops', reason: 'undo' });
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('error');
    await resolveStep(db(), { taskId, step: 'compensate.a', results: { deleted_by: 'dba' }, actor: 'ops', reason: 'deleted in the console' });
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('compensated');
    expect(await stepStatuses(taskId)).toMatchObject({ a: 'compensated', 'compensate.a': 'resolved_manually' });
    const [row] = await queryRows<{ from_status: string; actor: string }>(
      db(),
      sql`select t.from_status, t.actor from transitions t join steps s on s.id = t.step_id where s.task_id = ${taskId} and s.name = 'a' and t.to_status = 'compensated'`,
    );
    expect(row).toEqual({ from_status: 'complete', actor: 'ops' });
  });

  it('on_failure: compensate undoes a task by itself once a step fails for good', async () => {
    await saveTestTemplate(db(), { name: 'self_undo', steps: diamond(), onFailure: 'compensate' });
    const { task } = await createTask(db(), { namespace: 'tests', name: 'self_undo', context: {} });
    await start();
    expect(await waitForTaskStatus(db(), task.id, ['compensated'])).toBe('compensated');
    const [row] = await queryRows<{ actor: string; reason: string }>(
      db(),
      sql`select actor, reason from transitions where task_id = ${task.id} and to_status = 'compensating' and step_id is null`,
    );
    expect(row).toEqual({ actor: 'system', reason: 'on_failure: compensate (step e failed for good)' });
  });

  it('two workers never run one compensation twice', async () => {
    await saveTestTemplate(db(), { name: 'busy', steps: diamond(undo('test.sleep', { ms: 20 })) });
    const ids: number[] = [];
    for (let index = 0; index < 15; index += 1) {
      const { task } = await createTask(db(), { namespace: 'tests', name: 'busy', context: { index } });
      ids.push(task.id);
    }
    await start(4);
    for (const id of ids) {
      expect(await waitForTaskStatus(db(), id, ['error', 'complete'])).toBe('error');
    }
    await start(4);
    for (const id of ids) {
      await compensateTask(db(), { taskId: id, actor: 'ops', reason: 'undo all' });
    }
    for (const id of ids) {
      expect(await waitForTaskStatus(db(), id, ['compensated', 'error'])).toBe('compensated');
    }
    const [counts] = await queryRows<{ steps: number; attempts: number }>(
      db(),
      sql`select (select count(*)::int from steps where kind = 'compensation') as steps,
        (select count(*)::int from step_attempts a join steps s on s.id = a.step_id where s.kind = 'compensation') as attempts`,
    );
    expect(counts).toEqual({ steps: 60, attempts: 60 });
  });
});
