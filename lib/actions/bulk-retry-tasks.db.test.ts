import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import type { Orchestrator } from '../engine/runner';
import { countRows, createFailedSignups, readSteps, saveSignupTemplate, snapshotState } from '../testing/failure-fixtures';
import { bulkRetryTasks } from './bulk-retry-tasks';

const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

describeEachDatabase('bulkRetryTasks', (suite) => {
  it('counts on a dry run and changes nothing; then retries the same tasks for real, as the actor', async () => {
    const { database } = suite;
    await saveSignupTemplate(database);
    const ids = await createFailedSignups(database, ['a@example.com', 'b@example.com', 'c@example.com'], running);
    await database.db.execute(sql`update tasks set status = 'cancelled' where id = ${ids[2]!}`);

    const before = await snapshotState(database);
    const dryRun = await bulkRetryTasks(database.db, { filter: { name: 'signup' }, dryRun: true, actor: 'ops' });
    expect(dryRun).toEqual({
      dry_run: true,
      tasks: 2,
      steps: [{ name: 'billing', count: 2 }],
      task_ids: [String(ids[0]), String(ids[1])],
      truncated: false,
      limit: 10_000,
    });
    expect(await snapshotState(database)).toBe(before);

    const result = await bulkRetryTasks(database.db, { filter: { name: 'signup' }, dryRun: false, actor: 'ops', reason: 'card processor fixed' });
    expect(result).toEqual({ ...dryRun, dry_run: false, skipped: 0, bulk_action_id: expect.stringMatching(/^[1-9][0-9]*$/) as unknown });
    // The bulk action names the tasks it changed, for its progress (GET /bulk-actions/{id}).
    const members = await queryRows<{ task_id: string }>(
      database.db,
      sql`select task_id::text as task_id from bulk_action_tasks where bulk_action_id = ${Number(result.bulk_action_id)} order by task_id`,
    );
    expect(members.map((row) => Number(row.task_id))).toEqual([ids[0]!, ids[1]!].sort((a, b) => a - b));
    for (const id of [ids[0]!, ids[1]!]) {
      expect((await readSteps(database, id)).find((step) => step.name === 'billing')?.status).toBe('ready');
      const trail = await queryRows<{ to_status: string; actor: string; reason: string; step_id: string | null }>(
        database.db,
        sql`select to_status, actor, reason, step_id from transitions where task_id = ${id} and actor = 'ops' order by id`,
      );
      expect(trail.map((row) => [row.step_id === null ? 'task' : 'step', row.to_status, row.reason])).toEqual([
        ['step', 'ready', 'card processor fixed'],
        ['task', 'in_progress', 'card processor fixed'],
      ]);
    }
    // Nothing left to retry: a second call finds no task.
    expect(await bulkRetryTasks(database.db, { filter: { name: 'signup' }, dryRun: false, actor: 'ops' })).toMatchObject({ tasks: 0, steps: [] });
  });

  it('retries by ids, caps one call at its limit, and narrows to the steps a filter names', async () => {
    const { database } = suite;
    await saveSignupTemplate(database);
    const ids = await createFailedSignups(database, ['a@example.com', 'b@example.com', 'c@example.com'], running);
    // The second task has a second failed step; a filter on one step retries only that one.
    await database.db.execute(sql`update steps set status = 'error' where task_id = ${ids[1]!} and name = 'preferences'`);

    const capped = await bulkRetryTasks(database.db, { filter: { status: ['error'] }, dryRun: true, actor: 'ops', limit: 2 });
    expect(capped).toMatchObject({ tasks: 2, truncated: true, limit: 2, task_ids: [String(ids[0]), String(ids[1])] });
    expect(capped.steps).toEqual([
      { name: 'billing', count: 2 },
      { name: 'preferences', count: 1 },
    ]);

    const narrowed = await bulkRetryTasks(database.db, { filter: { step: 'preferences', step_status: ['error'] }, dryRun: false, actor: 'ops' });
    expect(narrowed).toMatchObject({ tasks: 1, steps: [{ name: 'preferences', count: 1 }], task_ids: [String(ids[1])] });
    expect(await readSteps(database, ids[1]!)).toEqual([
      { name: 'user', status: 'complete' },
      { name: 'billing', status: 'error' },
      { name: 'preferences', status: 'ready' },
      { name: 'welcome', status: 'pending' },
    ]);

    const byIds = await bulkRetryTasks(database.db, { ids: [ids[2]!, 999999], dryRun: false, actor: 'ops' });
    expect(byIds).toMatchObject({ tasks: 1, steps: [{ name: 'billing', count: 1 }], task_ids: [String(ids[2])] });
    const rows = await countRows(database);
    expect(rows.tasks).toBe(3);
  });
});
