import type { Db } from '../../db/client';
import { ConflictError } from '../errors';
import { finishStepManually, requireRepairReason } from './finish-step-manually';
import { lockStepOrThrow, lockTaskForActionOrThrow } from './load-task-for-action';

/**
 * Skips a step whose template allows it (`skippable: true`); its dependents run without its results.
 * A reason is required (422 at `/reason`).
 */
export async function skipStep(
  db: Db,
  { taskId, step: stepRef, actor, reason }: { taskId: number; step: string; actor: string; reason: string | undefined },
): Promise<void> {
  const why = requireRepairReason(reason, 'skip');
  await db.transaction(async (tx) => {
    const task = await lockTaskForActionOrThrow(tx, taskId, 'skip a step');
    const step = await lockStepOrThrow(tx, task, stepRef);
    if (!step.skippable) {
      throw new ConflictError(`Step ${step.name} is not skippable (its template does not say skippable: true)`);
    }
    await finishStepManually(tx, task, step, { status: 'skipped', results: null, actor, reason: why });
  });
}
