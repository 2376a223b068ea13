import type { Db, DbOrTx } from '../../db/client';
import { findDependenciesOfTask, findStepsOfTasks } from '../../db/queries/steps';
import { findTasksWithRevision } from '../../db/queries/tasks';
import type { TaskDetail, WaitingReason } from '../api/types';
import { createCallCoalescer, type CallAnswer } from '../call-coalescer';
import { NotFoundError } from '../errors';
import { findResultsSchemasOfVersions } from './find-results-schemas';
import { toStepSummary, toTaskSummary } from './task-views';
import { findWaitingReasons } from './waiting-reason-sql';

/**
 * The task with its steps in template order, each naming the steps it depends on, and its `revision`.
 * Throws NotFoundError. The revision is read with the task, before its steps: what follows is at least that new.
 */
export async function getTaskDetailOrThrow(dbOrTx: DbOrTx, taskId: number): Promise<TaskDetail> {
  const detail = (await findTaskDetails(dbOrTx, [taskId])).get(taskId);
  if (!detail) {
    throw new NotFoundError('task', String(taskId));
  }
  return detail;
}

const detailCoalescers = new WeakMap<Db, (taskId: number) => Promise<TaskDetail>>();

/**
 * getTaskDetailOrThrow for many concurrent callers (POST /tasks answers each created task with it): the
 * calls made while one read runs are read together in the next, in as many statements as one task takes.
 */
export function getTaskDetailReadTogetherOrThrow(db: Db, taskId: number): Promise<TaskDetail> {
  let read = detailCoalescers.get(db);
  if (!read) {
    read = createCallCoalescer(async (taskIds: number[]): Promise<CallAnswer<TaskDetail>[]> => {
      const details = await findTaskDetails(db, taskIds);
      return taskIds.map((id) => {
        const detail = details.get(id);
        return detail ? { value: detail } : { error: new NotFoundError('task', String(id)) };
      });
    });
    detailCoalescers.set(db, read);
  }
  return read(taskId);
}

/** The detail of each of these tasks found (see getTaskDetailOrThrow), by id, in five statements whatever their number. */
async function findTaskDetails(dbOrTx: DbOrTx, taskIds: readonly number[]): Promise<Map<number, TaskDetail>> {
  const ids = [...new Set(taskIds)];
  const found = await findTasksWithRevision(dbOrTx, ids);
  if (found.length === 0) {
    return new Map();
  }
  const foundIds = found.map(({ task }) => task.id);
  const steps = await findStepsOfTasks(dbOrTx, foundIds);
  const dependencies = await findDependenciesOfTask(
    dbOrTx,
    steps.map((step) => step.id),
  );
  const waitingReasons: Map<number, WaitingReason> = await findWaitingReasons(dbOrTx, foundIds);
  const resultsSchemas = await findResultsSchemasOfVersions(
    dbOrTx,
    found.map(({ task }) => task.templateVersionId),
  );
  const nameById = new Map(steps.map((step) => [step.id, step.name]));
  const positionById = new Map(steps.map((step) => [step.id, step.position]));
  const dependsOn = new Map<number, number[]>();
  for (const dependency of dependencies) {
    dependsOn.set(dependency.stepId, [...(dependsOn.get(dependency.stepId) ?? []), dependency.dependsOnStepId]);
  }
  const stepsByTask = new Map<number, typeof steps>();
  for (const step of steps) {
    const list = stepsByTask.get(step.taskId) ?? [];
    list.push(step);
    stepsByTask.set(step.taskId, list);
  }
  return new Map(
    found.map(({ task, revision }): [number, TaskDetail] => [
      task.id,
      {
        ...toTaskSummary(task),
        revision,
        steps: (stepsByTask.get(task.id) ?? []).map((step) => ({
          ...toStepSummary(
            step,
            (dependsOn.get(step.id) ?? [])
              .sort((a, b) => (positionById.get(a) ?? 0) - (positionById.get(b) ?? 0))
              .map((id) => nameById.get(id) ?? String(id)),
            resultsSchemas.get(task.templateVersionId)?.get(step.name) ?? null,
          ),
          waiting_reason: waitingReasons.get(step.id) ?? null,
        })),
      },
    ]),
  );
}
