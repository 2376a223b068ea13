import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { markStepsCancelled } from '../../db/queries/steps';
import { insertTransitions } from '../../db/queries/tasks';
import { stepAttempts, steps, tasks } from '../../db/schema';
import { UNFINISHED_STEP_STATUSES } from '../statuses';
import { lockTaskForActionOrThrow, type ActionActor } from './load-task-for-action';
import { recordTaskStatusChange } from './record-task-status-change';

/**
 * Cancels the task and every unfinished step. A running attempt is closed as cancelled; its worker's
 * outcome is then ignored, since the step is no longer in_progress.
 */
export async function cancelTask(db: Db, { taskId, actor, reason }: { taskId: number } & ActionActor): Promise<void> {
  await db.transaction(async (tx) => {
    const task = await lockTaskForActionOrThrow(tx, taskId, 'cancel the task');
    const unfinished = await tx
      .select({ id: steps.id, status: steps.status, attempts: steps.attempts })
      .from(steps)
      .where(and(eq(steps.taskId, task.id), inArray(steps.status, [...UNFINISHED_STEP_STATUSES])))
      .for('update');
    await markStepsCancelled(
      tx,
      unfinished.map((step) => step.id),
    );
    await tx
      .update(stepAttempts)
      .set({
        outcome: 'cancelled',
        finishedAt: sql`clock_timestamp()`,
        durationMs: sql`(extract(epoch from clock_timestamp() - ${stepAttempts.startedAt}) * 1000)::int`,
      })
      .where(and(eq(stepAttempts.taskId, task.id), eq(stepAttempts.outcome, 'running')));
    await insertTransitions(
      tx,
      unfinished.map((step) => ({
        taskId: task.id,
        stepId: step.id,
        fromStatus: step.status,
        toStatus: 'cancelled',
        reason: reason ?? `task cancelled by ${actor}`,
        actor,
        attempt: step.attempts || null,
      })),
    );
    await tx
      .update(tasks)
      .set({ status: 'cancelled', unfinishedSteps: 0, liveSteps: 0, completedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(tasks.id, task.id));
    await recordTaskStatusChange(tx, task, 'cancelled', { actor, reason: reason ?? `cancelled by ${actor}` });
  });
}
