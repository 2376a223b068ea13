import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { releaseDependents, STEPS_READY_CHANNEL } from '../../db/queries/steps';
import { applyTaskCounterDeltas, insertTransitions } from '../../db/queries/tasks';
import { steps, type StepRow, type TaskRow } from '../../db/schema';
import { ConflictError, InvalidInputError } from '../errors';
import { canFinishStepManually, COMPENSABLE_STEP_STATUSES, isStepLive } from '../statuses';
import { recordTaskStatusChange } from './record-task-status-change';

/** Who resolved or skipped a step, and why: a reason is required for both (shown in the audit trail). */
export type RepairActor = { actor: string; reason: string };

/** Refuses a missing or blank reason (422 at `/reason`), before anything is read or written. */
export function requireRepairReason(reason: string | undefined, action: 'resolve' | 'skip'): string {
  const trimmed = reason?.trim() ?? '';
  if (trimmed === '') {
    throw new InvalidInputError(
      [{ path: '/reason', message: `is required: say why you ${action} this step (it is recorded in the audit trail)` }],
      `A reason is required to ${action} a step`,
    );
  }
  return trimmed;
}

/** Refuses (409) a step that is running or already finished. */
export function refuseUnlessFinishableByHand(step: StepRow, status: 'resolved_manually' | 'skipped'): void {
  if (!canFinishStepManually(step.status)) {
    throw new ConflictError(
      step.status === 'in_progress'
        ? `Step ${step.name} is running; wait for the attempt to finish or cancel the task`
        : `Step ${step.name} is ${step.status}; only pending, ready, waiting_retry or error steps can be ${status === 'skipped' ? 'skipped' : 'resolved'}`,
    );
  }
}

/**
 * Resolves or skips a step for an operator: the step takes the given results, its dependents whose
 * last dependency this was become ready, and the task's counters and status follow.
 */
export async function finishStepManually(
  tx: Tx,
  task: TaskRow,
  step: StepRow,
  { status, results, actor, reason }: { status: 'resolved_manually' | 'skipped'; results: unknown } & RepairActor,
): Promise<void> {
  refuseUnlessFinishableByHand(step, status);
  await tx
    .update(steps)
    .set({ status, results: results ?? null, runAt: null, completedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(steps.id, step.id));
  const nowReady = await releaseDependents(tx, [step.id]);
  // A compensation resolved by hand: the operator says the step it undoes is undone (skipped: it is not).
  const undone =
    status === 'resolved_manually' && step.compensatesStepId !== null
      ? await tx
          .select({ id: steps.id, status: steps.status })
          .from(steps)
          .where(and(eq(steps.id, step.compensatesStepId), inArray(steps.status, [...COMPENSABLE_STEP_STATUSES])))
          .for('update')
      : [];
  for (const row of undone) {
    await tx
      .update(steps)
      .set({ status: 'compensated', updatedAt: sql`now()` })
      .where(eq(steps.id, row.id));
  }
  await insertTransitions(tx, [
    ...undone.map((row) => ({
      taskId: task.id,
      stepId: row.id,
      fromStatus: row.status,
      toStatus: 'compensated',
      reason: `undone: ${step.name} resolved by hand (${reason})`,
      actor,
    })),
    {
      taskId: task.id,
      stepId: step.id,
      fromStatus: step.status,
      toStatus: status,
      reason,
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
  await recordTaskStatusChange(tx, task, after?.status, { actor, reason });
  if (nowReady.length > 0) {
    await tx.execute(sql`select pg_notify(${STEPS_READY_CHANNEL}, '')`);
  }
}
