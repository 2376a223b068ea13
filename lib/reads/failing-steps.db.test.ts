import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { bulkRetryTasks } from '../actions/bulk-retry-tasks';
import { cancelTask } from '../actions/cancel-task';
import { createTask } from '../actions/create-task';
import { editTaskContext } from '../actions/edit-task-context';
import { resolveStep } from '../actions/resolve-step';
import { retryStep } from '../actions/retry-step';
import { retryTask } from '../actions/retry-task';
import { skipStep } from '../actions/skip-step';
import type { Orchestrator } from '../engine/runner';
import { createFailedSignups, saveSignupTemplate, startTestOrchestrator } from '../testing/failure-fixtures';
import { saveTestTemplate, waitFor, waitForTaskStatus } from '../testing/task-testing';

const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

type IndexRow = {
  step_id: string;
  task_id: string;
  status: string;
  error_signature: string;
  failed_at: string;
  retrying_since: string | null;
  partial: unknown;
};

describeEachDatabase('failing_steps, the Failures index kept by triggers', (suite) => {
  /** The index as the triggers left it, and as it should be, read straight from steps and tasks. */
  async function expectIndexInStep(): Promise<IndexRow[]> {
    const { db } = suite.database;
    const kept = await queryRows<IndexRow>(
      db,
      sql`select f.step_id::text, f.task_id::text, f.status, f.error_signature, f.failed_at::text, f.retrying_since::text, f.partial::jsonb as partial
          from failing_steps f order by f.step_id`,
    );
    const expected = await queryRows<IndexRow>(
      db,
      sql`select s.id::text as step_id, s.task_id::text, s.status, coalesce(s.error_signature, '') as error_signature,
            coalesce((s.last_error->>'at')::timestamptz, s.updated_at)::text as failed_at,
            -- The stuck clock: steps.waiting_since (kept across circuit probes), the round's first attempt for rows from before it.
            case when s.status = 'waiting_retry' then coalesce(s.waiting_since,
              (select a.started_at from step_attempts a where a.step_id = s.id and a.number = s.round_start_attempts + 1))::text end as retrying_since,
            -- (A waiting_retry row keeps its task's steps as of its latest failure: in these tasks, as they are now.)
            (select jsonb_agg(jsonb_build_array(o.name, o.service, o.status, o.position) order by o.position) from steps o where o.task_id = s.task_id) as partial
          from steps s join tasks t on t.id = s.task_id
          where (s.status = 'error' and t.status = 'error') or s.status = 'waiting_retry'
          order by s.id`,
    );
    expect(kept).toEqual(expected);
    return kept;
  }

  it('follows every way a step or a task enters or leaves failure', async () => {
    const { database } = suite;
    await saveSignupTemplate(database);
    const ids = await createFailedSignups(
      database,
      ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com', 'f@example.com'],
      running,
    );
    const [resolvedLater, skipped, cancelled, retried, edited, bulkRetried] = ids as [number, number, number, number, number, number];
    let index = await expectIndexInStep();
    expect(index.map((row) => row.status)).toEqual(Array(6).fill('error'));
    expect(index[0]!.partial).toEqual([
      ['user', null, 'complete', 0],
      ['billing', null, 'error', 1],
      ['preferences', null, 'complete', 2],
      ['welcome', null, 'pending', 3],
    ]);

    // Resolving the step after billing leaves the task in error: its partial state changes.
    await resolveStep(database.db, { taskId: resolvedLater, step: 'welcome', results: { sent: false }, actor: 'ops', reason: 'sent by hand' });
    index = await expectIndexInStep();
    expect(index.find((row) => row.task_id === String(resolvedLater))?.partial).toContainEqual(['welcome', null, 'resolved_manually', 3]);

    await skipStep(database.db, { taskId: skipped, step: 'billing', actor: 'ops', reason: 'free plan' });
    await cancelTask(database.db, { taskId: cancelled, actor: 'ops', reason: 'duplicate sign-up' });
    await retryTask(database.db, { taskId: retried, actor: 'ops' });
    await editTaskContext(database.db, { taskId: edited, context: { user_info: { email: 'e2@example.com' } }, reason: 'typo', actor: 'ops' });
    await bulkRetryTasks(database.db, { ids: [bulkRetried], dryRun: false, actor: 'ops' });
    index = await expectIndexInStep();
    expect(index.map((row) => row.task_id)).toEqual([String(resolvedLater)]);

    // The retried tasks fail again at billing, and are back.
    await startTestOrchestrator(database, running);
    for (const id of [skipped, retried, edited, bulkRetried]) {
      await waitForTaskStatus(database.db, id, ['error', 'complete']);
    }
    index = await expectIndexInStep();
    expect(index.map((row) => row.task_id).sort()).toEqual([resolvedLater, retried, edited, bulkRetried].map(String).sort());

    // A step waiting to retry has its row with the round's start; an operator retry takes it out.
    await saveTestTemplate(database.db, {
      name: 'slow_partner',
      steps: [
        {
          name: 'call',
          handler: 'test.fail',
          handlerConfig: { kind: 'retryable', message: 'partner timed out' },
          backoff: { baseSeconds: 3600, maxSeconds: 3600, jitter: false },
        },
      ],
    });
    const { task } = await createTask(database.db, { namespace: 'tests', name: 'slow_partner', context: {} });
    await waitFor(async () => (await queryRows(database.db, sql`select 1 from steps where task_id = ${task.id} and status = 'waiting_retry'`))[0]);
    index = await expectIndexInStep();
    expect(index.find((row) => row.task_id === String(task.id))).toMatchObject({
      status: 'waiting_retry',
      partial: [['call', null, 'waiting_retry', 0]],
      retrying_since: expect.any(String),
    });
    await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
    await retryStep(database.db, { taskId: task.id, step: 'call', actor: 'ops' });
    index = await expectIndexInStep();
    expect(index.some((row) => row.task_id === String(task.id))).toBe(false);

    // Deleting tasks takes their rows with them; a rebuild writes what the triggers wrote.
    await database.db.execute(sql`select switchyard_rebuild_failing_steps()`);
    expect(await expectIndexInStep()).toEqual(index);
    await database.db.execute(sql`delete from tasks where id = ${retried}`);
    expect((await expectIndexInStep()).some((row) => row.task_id === String(retried))).toBe(false);
  });
});
