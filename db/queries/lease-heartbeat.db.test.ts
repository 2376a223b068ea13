import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createTask } from '../../lib/actions/create-task';
import { saveTestTemplate } from '../../lib/testing/task-testing';
import { queryRows } from '../client';
import { describeEachDatabase } from '../testing';
import { claimReadySteps, extendLeases } from './steps';

describeEachDatabase('lease heartbeat', (suite) => {
  // PGlite is one session: no other statement can hold a row lock while the heartbeat runs.
  it.skipIf(suite.kind === 'pglite')('extends the leases it can at once, skipping a step another statement has locked', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'pair',
      steps: [
        { name: 'a', handler: 'test.noop' },
        { name: 'b', handler: 'test.noop' },
      ],
    });
    await createTask(db, { namespace: 'tests', name: 'pair', context: {} });
    const claimed = await claimReadySteps(db, { limit: 10, workerId: 'w1', leaseSeconds: 1 });
    expect(claimed).toHaveLength(2);
    const [locked, free] = claimed;
    const leases = () =>
      queryRows<{ id: string; seconds_left: number }>(
        db,
        sql`select id::text, extract(epoch from lease_expires_at - now())::float8 as seconds_left from steps where worker_id = 'w1' order by id`,
      );

    await db.transaction(async (tx) => {
      // Another statement is recording `locked`'s outcome: it holds the row until it commits.
      await tx.execute(sql`select id from steps where id = ${locked!.id} for update`);
      // Returns while the lock is held: a heartbeat that waited for it would wait here for good.
      await extendLeases(db, { stepIds: [locked!.id, free!.id], workerId: 'w1', leaseSeconds: 300 });
    });
    const after = new Map((await leases()).map((row) => [Number(row.id), row.seconds_left]));
    expect(after.get(free!.id)).toBeGreaterThan(200);
    expect(after.get(locked!.id)).toBeLessThan(2);
  });
});
