import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { STEPS_READY_CHANNEL } from '../../db/queries/steps';
import { applyTaskCounterDeltas, insertTransitions } from '../../db/queries/tasks';
import { stepDependencies, type StepRow, steps, type TaskRow } from '../../db/schema';
import { ConflictError } from '../errors';
import { STEP_LIVE_STATUSES, type StepStatus } from '../statuses';
import type { ActionActor } from './load-task-for-action';
import { recordTaskStatusChange } from './record-task-status-change';

const MANUALLY_FINISHABLE: readonly StepStatus[] = ['pending', 'ready', 'waiting_retry', 'error'];

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
  if (!MANUALLY_FINISHABLE.includes(step.status as StepStatus)) {
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
  const dependents = await tx
    .select({ id: steps.id })
    .from(stepDependencies)
    .innerJoin(steps, eq(steps.id, stepDependencies.stepId))
    .where(and(eq(stepDependencies.dependsOnStepId, step.id), eq(steps.status, 'pending')));
  const released = dependents.length
    ? await tx
        .update(steps)
        .set({
          pendingDependencies: sql`${steps.pendingDependencies} - 1`,
          status: sql`case when ${steps.pendingDependencies} - 1 = 0 then 'ready' else ${steps.status} end`,
          runAt: sql`case when ${steps.pendingDependencies} - 1 = 0 then now() else ${steps.runAt} end`,
          updatedAt: sql`now()`,
        })
        .where(inArray(steps.id, dependents.map((dependent) => dependent.id)))
        .returning({ id: steps.id, status: steps.status })
    : [];
  const nowReady = released.filter((dependent) => dependent.status === 'ready');
  const wasLive = STEP_LIVE_STATUSES.includes(step.status as StepStatus);
  await insertTransitions(tx, [
    { taskId: task.id, stepId: step.id, fromStatus: step.status, toStatus: status, reason: reason ?? `${status} by ${actor}`, actor, details: { results: results ?? null } },
    ...nowReady.map((dependent) => ({ taskId: task.id, stepId: dependent.id, fromStatus: 'pending', toStatus: 'ready', reason: `dependency ${step.name} ${status}`, actor })),
  ]);
  const after = await applyTaskCounterDeltas(tx, task.id, { unfinished: -1, live: (wasLive ? -1 : 0) + nowReady.length });
  await recordTaskStatusChange(tx, task, after?.status, { actor, reason: reason ?? `step ${step.name} ${status}` });
  if (nowReady.length > 0) {
    await tx.execute(sql`select pg_notify(${STEPS_READY_CHANNEL}, '')`);
  }
}
