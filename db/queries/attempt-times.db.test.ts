import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createTask } from '../../lib/actions/create-task';
import { saveTestTemplate } from '../../lib/testing/task-testing';
import { queryRows } from '../client';
import { describeEachDatabase } from '../testing';
import { claimReadySteps, markStepsComplete } from './steps';

describeEachDatabase('attempt times', (suite) => {
  // PGlite is one session: a statement there never sees a commit made after it arrived.
  it.skipIf(suite.kind === 'pglite')(
    'follow the order in which things happened, even for a statement that arrived before the commit it sees',
    async () => {
      const { db } = suite.database;
      await saveTestTemplate(db, {
        name: 'join',
        steps: [
          { name: 'left', handler: 'test.noop' },
          { name: 'right', handler: 'test.noop' },
          { name: 'joined', handler: 'test.noop', dependsOn: ['left', 'right'] },
        ],
      });
      await createTask(db, { namespace: 'tests', name: 'join', context: {} });
      const claimed = await claimReadySteps(db, { limit: 10, workerId: 'w1', leaseSeconds: 30 });
      const [left, right] = ['left', 'right'].map((name) => claimed.find((step) => step.name === name)!);
      const success = (step: typeof left) => ({ stepId: step!.id, attempt: step!.attempt, results: { ok: true }, durationMs: 1, httpStatus: null });

      await db.transaction(async (tx) => {
        // The transaction's now() is fixed here, before `left` completes in another session; the statement
        // that completes `right` sees that commit and claims `joined`. It is the window a busy server
        // opens between a statement's arrival and its snapshot.
        await tx.execute(sql`select 1`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        await markStepsComplete(db, [success(left)]);
        const { claimed: joined } = await markStepsComplete(tx, [success(right)], { workerId: 'w1', leaseSeconds: 30, limit: 10 });
        expect(joined.map((step) => step.name)).toEqual(['joined']);
      });

      const [times] = await queryRows<{ left_finished: string; joined_started: string; in_order: boolean }>(
        db,
        sql`select l.finished_at::text as left_finished, j.started_at::text as joined_started, j.started_at >= l.finished_at as in_order
            from step_attempts l join steps ls on ls.id = l.step_id and ls.name = 'left'
            cross join step_attempts j join steps js on js.id = j.step_id and js.name = 'joined'`,
      );
      expect(times).toMatchObject({ in_order: true });
    },
  );
});
