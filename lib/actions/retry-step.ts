import { eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import { STEPS_READY_CHANNEL } from '../../db/queries/steps';
import { applyTaskCounterDeltas, insertTransitions } from '../../db/queries/tasks';
import { steps, type StepRow, type TaskRow } from '../../db/schema';
import { ConflictError } from '../errors';
import { canRetryStep, isStepLive } from '../statuses';
import { lockStepOrThrow, lockTaskForActionOrThrow, type ActionActor } from './load-task-for-action';
import { recordTaskStatusChange } from './record-task-status-change';

/** Puts a failed (or waiting) step back to ready with a fresh round of attempts; an error task goes on. */
export async function retryStep(db: Db, { taskId, step: stepRef, ...who }: { taskId: number; step: string } & ActionActor): Promise<void> {
  await db.transaction(async (tx) => {
    const task = await lockTaskForActionOrThrow(tx, taskId, 'retry a step');
    const step = await lockStepOrThrow(tx, task, stepRef);
    await makeStepReadyAgain(tx, task, step, who);
  });
}

/** Shared by retryStep and retryTask: the step must be in error or waiting_retry. */
export async function makeStepReadyAgain(tx: Tx, task: TaskRow, step: StepRow, { actor, reason }: ActionActor): Promise<void> {
  if (!canRetryStep(step.status)) {
    throw new ConflictError(`Step ${step.name} is ${step.status}; only a step in error or waiting_retry can be retried`);
  }
  await tx
    .update(steps)
    .set({ status: 'ready', runAt: sql`now()`, roundStartAttempts: step.attempts, rateLimitedSince: null, updatedAt: sql`now()` })
    .where(eq(steps.id, step.id));
  await insertTransitions(tx, [
    {
      taskId: task.id,
      stepId: step.id,
      fromStatus: step.status,
      toStatus: 'ready',
      reason: reason ?? `retried by ${actor}`,
      actor,
      attempt: step.attempts,
    },
  ]);
  const after = await applyTaskCounterDeltas(tx, task.id, { unfinished: 0, live: isStepLive(step.status) ? 0 : 1 });
  await recordTaskStatusChange(tx, task, after?.status, { actor, reason: reason ?? `step ${step.name} retried` });
  await tx.execute(sql`select pg_notify(${STEPS_READY_CHANNEL}, '')`);
}
