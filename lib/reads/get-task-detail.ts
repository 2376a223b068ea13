import type { DbOrTx } from '../../db/client';
import { findDependenciesOfTask, findStepsOfTask } from '../../db/queries/steps';
import { findTaskWithRevision } from '../../db/queries/tasks';
import type { TaskDetail, WaitingReason } from '../api/types';
import { NotFoundError } from '../errors';
import { findResultsSchemas } from './find-results-schemas';
import { toStepSummary, toTaskSummary } from './task-views';
import { findWaitingReasons } from './waiting-reason-sql';

/**
 * The task with its steps in template order, each naming the steps it depends on, and its `revision`.
 * Throws NotFoundError. The revision is read with the task, before its steps: what follows is at least that new.
 */
export async function getTaskDetailOrThrow(dbOrTx: DbOrTx, taskId: number): Promise<TaskDetail> {
  const found = await findTaskWithRevision(dbOrTx, taskId);
  if (!found) {
    throw new NotFoundError('task', String(taskId));
  }
  const { task, revision } = found;
  const steps = await findStepsOfTask(dbOrTx, task.id);
  const dependencies = await findDependenciesOfTask(
    dbOrTx,
    steps.map((step) => step.id),
  );
  const nameById = new Map(steps.map((step) => [step.id, step.name]));
  const dependsOn = new Map<number, string[]>();
  for (const dependency of dependencies) {
    const names = dependsOn.get(dependency.stepId) ?? [];
    names.push(nameById.get(dependency.dependsOnStepId) ?? String(dependency.dependsOnStepId));
    dependsOn.set(dependency.stepId, names);
  }
  const position = new Map(steps.map((step) => [step.name, step.position]));
  const waitingReasons: Map<number, WaitingReason> = await findWaitingReasons(dbOrTx, task.id);
  const resultsSchemas = await findResultsSchemas(dbOrTx, task.templateVersionId);
  return {
    ...toTaskSummary(task),
    revision,
    steps: steps.map((step) => ({
      ...toStepSummary(
        step,
        (dependsOn.get(step.id) ?? []).sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0)),
        resultsSchemas.get(step.name) ?? null,
      ),
      waiting_reason: waitingReasons.get(step.id) ?? null,
    })),
  };
}
