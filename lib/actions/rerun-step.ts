import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { findDependentsByStep, STEPS_READY_CHANNEL } from '../../db/queries/steps';
import { applyTaskCounterDeltas, insertTransitions, lockTask } from '../../db/queries/tasks';
import { steps, tasks } from '../../db/schema';
import { toSqlList } from '../../db/to-sql-list';
import { ConflictError, NotFoundError } from '../errors';
import { isStepSatisfied, RERUNNABLE_TASK_STATUSES, SATISFIED_STEP_STATUSES } from '../statuses';
import { lockStepOrThrow, type ActionActor } from './load-task-for-action';
import { recordTaskStatusChange } from './record-task-status-change';

/**
 * Runs a finished step (complete, resolved_manually or skipped) of a task that is complete or in error
 * again, as a new round: `rerun_round` goes up, which gives its attempts a new idempotency key, so the
 * service acts again (run-attempt.ts). With `downstream`, every finished step that depends on it, directly
 * or not, runs again after it; steps upstream are never touched. A pending step waiting on a step that
 * runs again waits for it once more (pending_dependencies is counted afresh). One transaction with its
 * audit rows; refused with a conflict, writing nothing, when the task or the step is unfinished or
 * running, or the task was compensated.
 */
export async function rerunStep(
  db: Db,
  { taskId, step: stepRef, downstream, actor, reason }: { taskId: number; step: string; downstream: boolean } & ActionActor,
): Promise<{ rerun: string[] }> {
  return db.transaction(async (tx) => {
    const task = await lockTask(tx, taskId);
    if (!task) {
      throw new NotFoundError('task', String(taskId));
    }
    if (!(RERUNNABLE_TASK_STATUSES as readonly string[]).includes(task.status)) {
      throw new ConflictError(
        `Cannot re-run a step: task ${task.id} is ${task.status}; only a step of a task that is complete or in error can run again`,
      );
    }
    if (task.compensationStartedAt !== null) {
      throw new ConflictError(`Cannot re-run a step: task ${task.id} is being (or was) compensated; retry its compensation steps instead`);
    }
    const step = await lockStepOrThrow(tx, task, stepRef);
    if (step.kind !== 'step') {
      throw new ConflictError(`Step ${step.name} is a compensation; retry it instead of re-running it`);
    }
    if (!isStepSatisfied(step.status)) {
      throw new ConflictError(`Step ${step.name} is ${step.status}; only a complete, resolved_manually or skipped step can run again`);
    }
    const rows = await tx.select().from(steps).where(eq(steps.taskId, task.id)).orderBy(asc(steps.position)).for('update');
    const targets = [step];
    if (downstream) {
      const dependents = await findDependentsByStep(
        tx,
        rows.map((row) => row.id),
      );
      const seen = new Set<number>();
      const stack = [...(dependents.get(step.id) ?? [])];
      for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(...(dependents.get(next) ?? []));
        }
      }
      targets.push(...rows.filter((row) => seen.has(row.id) && row.kind === 'step' && isStepSatisfied(row.status)));
    }
    const why = reason ?? `re-run by ${actor}`;
    const targetIds = targets.map((row) => row.id);
    // Every target goes back to pending, then the dependencies still outstanding are counted afresh for
    // every pending step of the task: the step itself becomes ready (its upstream is done), dependents
    // wait for it again.
    await tx
      .update(steps)
      .set({
        status: 'pending',
        rerunRound: sql`${steps.rerunRound} + 1`,
        roundStartAttempts: sql`${steps.attempts}`,
        runAt: null,
        completedAt: null,
        lastError: null,
        rateLimitedSince: null,
        updatedAt: sql`now()`,
      })
      .where(inArray(steps.id, targetIds));
    const satisfied = toSqlList(SATISFIED_STEP_STATUSES);
    await tx.execute(sql`
      update steps s set pending_dependencies = (
          select count(*)::int from step_dependencies d join steps p on p.id = d.depends_on_step_id
          where d.step_id = s.id and p.status not in (${satisfied}))
      where s.task_id = ${task.id} and s.status = 'pending'`);
    const madeReady = await tx
      .update(steps)
      .set({ status: 'ready', runAt: sql`now()` })
      .where(and(inArray(steps.id, targetIds), eq(steps.pendingDependencies, 0)))
      .returning({ id: steps.id });
    const readyIds = new Set(madeReady.map((row) => row.id));
    await insertTransitions(
      tx,
      targets.map((row) => ({
        taskId: task.id,
        stepId: row.id,
        fromStatus: row.status,
        toStatus: readyIds.has(row.id) ? 'ready' : 'pending',
        reason: row.id === step.id ? why : `${why} (after ${step.name})`,
        actor,
        attempt: row.attempts || null,
        details: { rerun_round: row.rerunRound + 1, downstream },
      })),
    );
    if (task.status === 'complete') {
      // A finished task keeps its status under the counters' rule: it is reopened here.
      await tx.update(tasks).set({ status: 'in_progress', completedAt: null }).where(eq(tasks.id, task.id));
    }
    const after = await applyTaskCounterDeltas(tx, task.id, { unfinished: targets.length, live: readyIds.size });
    await recordTaskStatusChange(tx, task, after?.status, { actor, reason: `step ${step.name} re-run: ${why}` });
    await tx.execute(sql`select pg_notify(${STEPS_READY_CHANNEL}, '')`);
    return { rerun: targets.map((row) => row.name) };
  });
}
