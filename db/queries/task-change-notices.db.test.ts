import { expect, it } from 'vitest';
import { createTask } from '../../lib/actions/create-task';
import { saveTestTemplate, waitFor } from '../../lib/testing/task-testing';
import { describeEachDatabase } from '../testing';
import { claimReadySteps, markStepsComplete, TASKS_CHANGED_CHANNEL } from './steps';

describeEachDatabase('task change notices', (suite) => {
  it('a claim names the tasks whose steps it started, so their pages show them running at once', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, { name: 'pair', steps: [{ name: 'first', handler: 'test.noop' }] });
    const tasks = await Promise.all([1, 2].map(() => createTask(db, { namespace: 'tests', name: 'pair', context: {} })));
    const notices: string[] = [];
    const stop = await suite.database.listen(TASKS_CHANGED_CHANNEL, (payload) => notices.push(payload));
    try {
      const claimed = await claimReadySteps(db, { limit: 10, workerId: 'w1', leaseSeconds: 30 });
      expect(claimed).toHaveLength(2);
      const named = await waitFor(async () => notices.length > 0 && notices.flatMap((payload) => payload.split(',')), {
        timeoutMs: 5000,
        what: 'a notice',
      });
      expect(named.map(Number).sort()).toEqual(tasks.map(({ task }) => task.id).sort());

      // Nothing claimed, nothing said.
      notices.length = 0;
      expect(await claimReadySteps(db, { limit: 10, workerId: 'w1', leaseSeconds: 30 })).toEqual([]);
      await markStepsComplete(db, [{ stepId: claimed[0]!.id, attempt: 1, results: {}, durationMs: 1, httpStatus: null }]);
      const afterCompletion = await waitFor(async () => notices.length > 0 && notices, { timeoutMs: 5000, what: 'the completion notice' });
      expect(afterCompletion).toEqual([String(claimed[0]!.taskId)]);
    } finally {
      await stop();
    }
  });
});
