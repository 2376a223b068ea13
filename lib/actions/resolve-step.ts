import type { Db } from '../../db/client';
import { InvalidInputError } from '../errors';
import { findResultsSchemas } from '../reads/find-results-schemas';
import { compileResultsValidator } from '../validation';
import { finishStepManually, refuseUnlessFinishableByHand, requireRepairReason } from './finish-step-manually';
import { lockStepOrThrow, lockTaskForActionOrThrow } from './load-task-for-action';

/**
 * Marks a step resolved_manually with the results an operator supplies; its dependents then run with them.
 * A reason is required (422 at `/reason`). When the step's template declares `results_schema`, the results
 * must match it: 422 with each problem at its path under `/results`, and nothing is written.
 */
export async function resolveStep(
  db: Db,
  { taskId, step: stepRef, results, actor, reason }: { taskId: number; step: string; results: unknown; actor: string; reason: string | undefined },
): Promise<void> {
  const why = requireRepairReason(reason, 'resolve');
  await db.transaction(async (tx) => {
    const task = await lockTaskForActionOrThrow(tx, taskId, 'resolve a step');
    const step = await lockStepOrThrow(tx, task, stepRef);
    refuseUnlessFinishableByHand(step, 'resolved_manually');
    let checked = results;
    const schema = (await findResultsSchemas(tx, task.templateVersionId)).get(step.name);
    if (schema) {
      const result = compileResultsValidator(schema)(results);
      if (!result.ok) {
        throw new InvalidInputError(
          result.errors.map((error) => ({ ...error, path: `/results${error.path}` })),
          `The results do not match the results_schema of step ${step.name}`,
        );
      }
      checked = result.value;
    }
    await finishStepManually(tx, task, step, { status: 'resolved_manually', results: checked, actor, reason: why });
  });
}
