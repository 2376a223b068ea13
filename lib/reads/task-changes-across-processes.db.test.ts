import { expect, it } from 'vitest';
import { openDatabase, type Database } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { cancelTask } from '../actions/cancel-task';
import { createTask } from '../actions/create-task';
import { saveTestTemplate, waitFor } from '../testing/task-testing';
import { subscribeTaskChanges } from './subscribe-task-changes';

describeEachDatabase('task changes seen by another process', (suite) => {
  it('a web process watching a task hears a change another process made (its own connections), with no check of its own', async () => {
    const watching = suite.database;
    // On PostgreSQL the other process is a pool of its own on the same database; PGlite has one owner, so it is the same one.
    const other: Database = suite.database.url ? await openDatabase({ url: suite.database.url, maxConnections: 2 }) : watching;
    try {
      await saveTestTemplate(watching.db, { name: 'watched', steps: [{ name: 'only', handler: 'test.noop' }] });
      const { task } = await createTask(other.db, { namespace: 'tests', name: 'watched', context: {} });
      let heard = 0;
      // subscribeTaskChanges only listens (the event stream's 2 s check is not part of it): what is heard came by NOTIFY.
      const unsubscribe = await subscribeTaskChanges(watching, task.id, () => {
        heard += 1;
      });
      try {
        await cancelTask(other.db, { taskId: task.id, actor: 'operator-on-b', reason: 'repaired elsewhere' });
        await waitFor(async () => heard > 0, { timeoutMs: 5000, what: 'the change made by the other process' });
        expect(heard).toBeGreaterThan(0);
      } finally {
        unsubscribe();
      }
    } finally {
      if (other !== watching) {
        await other.close();
      }
    }
  });
});
