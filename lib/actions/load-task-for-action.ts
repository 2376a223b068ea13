import type { Tx } from '../../db/client';
import { lockTask } from '../../db/queries/tasks';
import { steps, type StepRow, type TaskRow } from '../../db/schema';
import { ConflictError, NotFoundError } from '../errors';
import { stepRefSql } from '../reads/step-ref-sql';
import { isTaskFinished } from '../statuses';

/** Who did an operator action, and why; recorded on every transition it causes. */
export type ActionActor = { actor: string; reason?: string | undefined };

/** Locks the task for an operator action and refuses tasks that have finished for good. */
export async function lockTaskForActionOrThrow(tx: Tx, taskId: number, action: string): Promise<TaskRow> {
  const task = await lockTask(tx, taskId);
  if (!task) {
    throw new NotFoundError('task', String(taskId));
  }
  if (isTaskFinished(task.status)) {
    throw new ConflictError(`Cannot ${action}: task ${task.id} is ${task.status}`);
  }
  return task;
}

/** A step of the task by name or id, locked. */
export async function lockStepOrThrow(tx: Tx, task: TaskRow, stepRef: string): Promise<StepRow> {
  const { where, nameFirst } = stepRefSql(task.id, stepRef);
  const [step] = await tx.select().from(steps).where(where).orderBy(nameFirst).limit(1).for('update');
  if (!step) {
    throw new NotFoundError('step', `${stepRef} in task ${task.id}`);
  }
  return step;
}
