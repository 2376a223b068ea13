import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { steps } from '../../db/schema';
import { ConflictError } from '../errors';
import { lockTaskForActionOrThrow, type ActionActor } from './load-task-for-action';
import { makeStepReadyAgain } from './retry-step';

/** Puts every error step of the task back to ready. Returns the names of the steps retried. */
export async function retryTask(db: Db, { taskId, ...who }: { taskId: number } & ActionActor): Promise<{ retried: string[] }> {
  return db.transaction(async (tx) => {
    let task = await lockTaskForActionOrThrow(tx, taskId, 'retry the task');
    const failed = await tx
      .select()
      .from(steps)
      .where(and(eq(steps.taskId, task.id), eq(steps.status, 'error')))
      .orderBy(steps.position)
      .for('update');
    if (failed.length === 0) {
      throw new ConflictError(`Task ${task.id} has no step in error to retry`);
    }
    for (const step of failed) {
      await makeStepReadyAgain(tx, task, step, who);
      // The first retry moves an error task to in_progress: later steps see that status.
      task = { ...task, status: task.status === 'error' ? 'in_progress' : task.status };
    }
    return { retried: failed.map((step) => step.name) };
  });
}
