import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { startOrchestrator, type Orchestrator } from '../engine/runner';
import { AppError } from '../errors';
import { defaultHandlerRegistry } from '../handlers/index';
import { saveTestTemplate, waitFor, waitForTaskStatus } from '../testing/task-testing';
import { cancelTask } from './cancel-task';
import { createTask } from './create-task';
import { resolveStep } from './resolve-step';
import { retryStep } from './retry-step';
import { retryTask } from './retry-task';
import { skipStep } from './skip-step';

const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

async function expectAppError(promise: Promise<unknown>, code: string, message?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) {
    expect((error as AppError).message).toMatch(message);
  }
}

describeEachDatabase('operator actions', (suite) => {
  async function start() {
    const orchestrator = await startOrchestrator({ database: suite.database, handlers, pollIntervalMs: 50, shutdownGraceMs: 100 });
    running.push(orchestrator);
    return orchestrator;
  }

  async function stepRows(taskId: number) {
    return queryRows<{ name: string; status: string; attempts: number; results: unknown }>(
      suite.database.db,
      sql`select name, status, attempts, results from steps where task_id = ${taskId} order by position`,
    );
  }

  async function transitionsOf(taskId: number) {
    return queryRows<{ step: string | null; from_status: string | null; to_status: string; actor: string; reason: string }>(
      suite.database.db,
      sql`select s.name as step, t.from_status, t.to_status, t.actor, t.reason from transitions t
          left join steps s on s.id = t.step_id where t.task_id = ${taskId} order by t.id`,
    );
  }

  /** A task whose `billing` step fails for good (permanent), with `welcome` waiting on it and `preferences` independent. */
  async function createFailedTask(options: { skippable?: boolean; failTimes?: number } = {}) {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'signup',
      steps: [
        { name: 'user', handler: 'test.noop', handlerConfig: { result: { user_id: 7 } } },
        {
          name: 'billing',
          handler: 'test.fail',
          handlerConfig: { kind: 'permanent', ...(options.failTimes === undefined ? {} : { times: options.failTimes }) },
          dependsOn: ['user'],
          skippable: options.skippable ?? false,
        },
        { name: 'preferences', handler: 'test.noop', dependsOn: ['user'] },
        { name: 'welcome', handler: 'test.echo', dependsOn: ['billing', 'preferences'] },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'signup', context: { email: 'ann@example.com' } });
    await start();
    expect(await waitForTaskStatus(db, task.id, ['error', 'complete'])).toBe('error');
    return task;
  }

  it('retries a failed step: the error task goes back to in_progress and completes', async () => {
    const { db } = suite.database;
    const task = await createFailedTask({ failTimes: 1 });
    await retryStep(db, { taskId: task.id, step: 'billing', actor: 'alice', reason: 'billing is back' });
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    const steps = await stepRows(task.id);
    expect(steps.find((step) => step.name === 'billing')).toMatchObject({ status: 'complete', attempts: 2 });
    const trail = await transitionsOf(task.id);
    expect(trail).toContainEqual(
      expect.objectContaining({ step: 'billing', from_status: 'error', to_status: 'ready', actor: 'alice', reason: 'billing is back' }),
    );
    expect(trail).toContainEqual(expect.objectContaining({ step: null, from_status: 'error', to_status: 'in_progress', actor: 'alice' }));
  });

  it('retries every error step of a task', async () => {
    const { db } = suite.database;
    const task = await createFailedTask({ failTimes: 1 });
    expect(await retryTask(db, { taskId: task.id, actor: 'bob' })).toEqual({ retried: ['billing'] });
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    await expectAppError(retryTask(db, { taskId: task.id, actor: 'bob' }), 'conflict', /complete/);
  });

  it('resolves a failed step with results, and its dependents run with them', async () => {
    const { db } = suite.database;
    const task = await createFailedTask();
    await resolveStep(db, { taskId: task.id, step: 'billing', results: { profile_id: 'manual-42' }, actor: 'carol', reason: 'created by hand' });
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    const steps = await stepRows(task.id);
    expect(steps.find((step) => step.name === 'billing')).toMatchObject({ status: 'resolved_manually', results: { profile_id: 'manual-42' } });
    const welcome = steps.find((step) => step.name === 'welcome')!.results as { results: Record<string, unknown> };
    expect(welcome.results.billing).toEqual({ profile_id: 'manual-42' });
    const trail = await transitionsOf(task.id);
    expect(trail).toContainEqual(expect.objectContaining({ step: 'billing', from_status: 'error', to_status: 'resolved_manually', actor: 'carol' }));
  });

  it('skips a skippable step and refuses to skip one that is not', async () => {
    const { db } = suite.database;
    const task = await createFailedTask({ skippable: true });
    await expectAppError(skipStep(db, { taskId: task.id, step: 'user', actor: 'dan', reason: 'not needed' }), 'conflict', /not skippable/);
    await skipStep(db, { taskId: task.id, step: 'billing', actor: 'dan', reason: 'free plan' });
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    expect((await stepRows(task.id)).find((step) => step.name === 'billing')!.status).toBe('skipped');
  });

  it('cancels a task and its unfinished steps; a cancelled task takes no more actions', async () => {
    const { db } = suite.database;
    const task = await createFailedTask();
    await cancelTask(db, { taskId: task.id, actor: 'erin', reason: 'duplicate sign-up' });
    expect((await stepRows(task.id)).map((step) => [step.name, step.status])).toEqual([
      ['user', 'complete'],
      ['billing', 'cancelled'],
      ['preferences', 'complete'],
      ['welcome', 'cancelled'],
    ]);
    const trail = await transitionsOf(task.id);
    expect(trail.at(-1)).toMatchObject({ step: null, from_status: 'error', to_status: 'cancelled', actor: 'erin', reason: 'duplicate sign-up' });
    await expectAppError(cancelTask(db, { taskId: task.id, actor: 'erin' }), 'conflict', /cancelled/);
    await expectAppError(retryStep(db, { taskId: task.id, step: 'billing', actor: 'erin' }), 'conflict');
    await expectAppError(resolveStep(db, { taskId: task.id, step: 'billing', results: {}, actor: 'erin', reason: 'by hand' }), 'conflict');
  });

  it('cancels a running task: the running attempt is closed and its late outcome ignored', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'slow',
      steps: [
        { name: 'wait', handler: 'test.sleep', handlerConfig: { ms: 800 } },
        { name: 'after', handler: 'test.noop', dependsOn: ['wait'] },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'slow', context: {} });
    await start();
    await waitFor(async () => (await stepRows(task.id))[0]!.status === 'in_progress', { what: 'the step to start' });
    await cancelTask(db, { taskId: task.id, actor: 'frank' });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await stepRows(task.id)).map((step) => step.status)).toEqual(['cancelled', 'cancelled']);
    const [attempt] = await queryRows<{ outcome: string }>(db, sql`select outcome from step_attempts where task_id = ${task.id}`);
    expect(attempt!.outcome).toBe('cancelled');
    const [taskRow] = await queryRows<{ status: string }>(db, sql`select status from tasks where id = ${task.id}`);
    expect(taskRow!.status).toBe('cancelled');
  });

  it('refuses actions in the wrong state, and on unknown tasks and steps', async () => {
    const { db } = suite.database;
    const task = await createFailedTask();
    const taskId = task.id;
    await expectAppError(retryStep(db, { taskId, step: 'user', actor: 'x' }), 'conflict', /only a step in error/);
    await expectAppError(resolveStep(db, { taskId, step: 'user', results: {}, actor: 'x', reason: 'by hand' }), 'conflict', /complete/);
    await expectAppError(retryStep(db, { taskId, step: 'nope', actor: 'x' }), 'not_found');
    await expectAppError(retryStep(db, { taskId: 999999, step: 'billing', actor: 'x' }), 'not_found');
    // refused actions wrote nothing
    const trail = await transitionsOf(task.id);
    expect(trail.filter((row) => row.actor === 'x')).toEqual([]);
  });

  it('takes steps by id as well as by name', async () => {
    const { db } = suite.database;
    const task = await createFailedTask();
    const [billing] = await queryRows<{ id: string }>(db, sql`select id::text as id from steps where task_id = ${task.id} and name = 'billing'`);
    await resolveStep(db, { taskId: task.id, step: billing!.id, results: { ok: 1 }, actor: 'gus', reason: 'by id' });
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
  });
});
