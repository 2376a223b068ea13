import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { releaseDependents, STEPS_READY_CHANNEL } from '../../db/queries/steps';
import { applyTaskCounterDeltas, insertTransitions } from '../../db/queries/tasks';
import { steps, type StepRow, type TaskRow } from '../../db/schema';
import { ConflictError } from '../errors';
import { canFinishStepManually, isStepLive } from '../statuses';
import type { ActionActor } from './load-task-for-action';
import { recordTaskStatusChange } from './record-task-status-change';

/**
 * Resolves or skips a step for an operator: the step takes the given results, its dependents whose
 * last dependency this was become ready, and the task's counters and status follow.
 */
export async function finishStepManually(
  tx: Tx,
  task: TaskRow,
  step: StepRow,
  { status, results, actor, reason }: { status: 'resolved_manually' | 'skipped'; results: unknown } & ActionActor,
): Promise<void> {
  if (!canFinishStepManually(step.status)) {
    throw new ConflictError(
      step.status === 'in_progress'
        ? `Step ${step.name} is running; wait for the attempt to finish or cancel the task`
        : `Step ${step.name} is ${step.status}; only pending, ready, waiting_retry or error steps can be ${status === 'skipped' ? 'skipped' : 'resolved'}`,
    );
  }
  await tx
    .update(steps)
    .set({ status, results: results ?? null, runAt: null, completedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(steps.id, step.id));
  const nowReady = await releaseDependents(tx, [step.id]);
  await insertTransitions(tx, [
    {
      taskId: task.id,
      stepId: step.id,
      fromStatus: step.status,
      toStatus: status,
      reason: reason ?? `${status} by ${actor}`,
      actor,
      details: { results: results ?? null },
    },
    ...nowReady.map((dependent) => ({
      taskId: task.id,
      stepId: dependent.id,
      fromStatus: 'pending',
      toStatus: 'ready',
      reason: `dependency ${step.name} ${status}`,
      actor,
    })),
  ]);
  const after = await applyTaskCounterDeltas(tx, task.id, { unfinished: -1, live: (isStepLive(step.status) ? -1 : 0) + nowReady.length });
  await recordTaskStatusChange(tx, task, after?.status, { actor, reason: reason ?? `step ${step.name} ${status}` });
  if (nowReady.length > 0) {
    await tx.execute(sql`select pg_notify(${STEPS_READY_CHANNEL}, '')`);
  }
}
