import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import type { Orchestrator } from '../engine/runner';
import { AppError } from '../errors';
import { createFailedSignups, saveSignupTemplate, snapshotState, startTestOrchestrator } from '../testing/failure-fixtures';
import { waitForTaskStatus } from '../testing/task-testing';
import { diffJson, editTaskContext } from './edit-task-context';

const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

it('diffs JSON by path: changed, added and removed leaves; arrays as a whole', () => {
  expect(diffJson({ a: 1, b: { c: 'x', d: [1] }, gone: true }, { a: 1, b: { c: 'y', d: [1, 2] }, added: null })).toEqual([
    { path: '/b/c', before: 'x', after: 'y' },
    { path: '/b/d', before: [1], after: [1, 2] },
    { path: '/gone', before: true },
    { path: '/added', after: null },
  ]);
  expect(diffJson({ 'a/b': 1 }, { 'a/b': 2 })).toEqual([{ path: '/a~1b', before: 1, after: 2 }]);
});

describeEachDatabase('editTaskContext', (suite) => {
  it('replaces the context, records the diff with the reason and actor, and retries the failed step to completion', async () => {
    const { database } = suite;
    await saveSignupTemplate(database, { billingFailures: 1 });
    const [id] = await createFailedSignups(database, ['typo@exmaple.com'], running);

    const task = await editTaskContext(database.db, {
      taskId: id!,
      context: { user_info: { email: 'ann@example.com' } },
      reason: 'customer sent the right address',
      actor: 'ops',
    });
    expect(task.context).toEqual({ user_info: { email: 'ann@example.com', plan: 'free' } });
    expect(task.status).toBe('in_progress');
    expect(task.steps.find((step) => step.name === 'billing')?.status).toBe('ready');

    const [edit] = await queryRows<{ from_status: string; to_status: string; actor: string; reason: string; details: unknown }>(
      database.db,
      sql`select from_status, to_status, actor, reason, details from transitions where task_id = ${id!} and reason like 'context edited%'`,
    );
    expect(edit).toEqual({
      from_status: 'error',
      to_status: 'error',
      actor: 'ops',
      reason: 'context edited: customer sent the right address',
      details: { context_changes: [{ path: '/user_info/email', before: 'typo@exmaple.com', after: 'ann@example.com' }] },
    });
    await startTestOrchestrator(database, running);
    expect(await waitForTaskStatus(database.db, id!, ['complete', 'error'])).toBe('complete');
  });

  it('refuses a task that is not in error, an invalid context, an unchanged one and another task’s identity; nothing is written', async () => {
    const { database } = suite;
    await saveSignupTemplate(database);
    const [failed, other] = await createFailedSignups(database, ['a@example.com', 'b@example.com'], running);
    await database.db.execute(sql`update tasks set status = 'in_progress' where id = ${other!}`);
    const before = await snapshotState(database);
    const edit = (taskId: number, context: unknown) => editTaskContext(database.db, { taskId, context, reason: 'fix', actor: 'ops' });

    expect((await errorOf(edit(other!, { user_info: { email: 'c@example.com' } }))).code).toBe('conflict');
    const invalid = await errorOf(edit(failed!, { user_info: { email: 'not an e-mail', plan: 'gold' } }));
    expect(invalid.code).toBe('invalid_input');
    expect(invalid.details.map((detail) => detail.path).sort()).toEqual(['/context/user_info/email', '/context/user_info/plan']);
    expect((await errorOf(edit(failed!, { user_info: { email: 'a@example.com' } }))).code).toBe('invalid_input');
    expect((await errorOf(edit(failed!, { user_info: { email: 'b@example.com' } }))).code).toBe('conflict');
    expect((await errorOf(edit(999999, { user_info: { email: 'c@example.com' } }))).code).toBe('not_found');
    expect(await snapshotState(database)).toBe(before);
  });
});
