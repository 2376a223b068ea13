import type { Db } from '../../db/client';
import { finishStepManually } from './finish-step-manually';
import { lockStepOrThrow, lockTaskForActionOrThrow, type ActionActor } from './load-task-for-action';

/** Marks a step resolved_manually with the results an operator supplies; its dependents then run with them. */
export async function resolveStep(
  db: Db,
  { taskId, step: stepRef, results, ...who }: { taskId: number; step: string; results: unknown } & ActionActor,
): Promise<void> {
  await db.transaction(async (tx) => {
    const task = await lockTaskForActionOrThrow(tx, taskId, 'resolve a step');
    const step = await lockStepOrThrow(tx, task, stepRef);
    await finishStepManually(tx, task, step, { status: 'resolved_manually', results, ...who });
  });
}
