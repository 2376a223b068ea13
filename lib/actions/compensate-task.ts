import { asc, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import { findDependentsByStep, markStepsCancelled, STEPS_READY_CHANNEL } from '../../db/queries/steps';
import { insertStepDependencies, insertSteps, insertTransitions, lockTask } from '../../db/queries/tasks';
import { stepDependencies, steps, tasks, templateVersions, type StepRow, type TaskRow } from '../../db/schema';
import type { CompensateTaskResult, CompensationPlanEntry } from '../api/types';
import { compensationStepName } from '../compensation-step-name';
import { ConflictError, NotFoundError } from '../errors';
import {
  COMPENSABLE_STEP_STATUSES,
  COMPENSABLE_TASK_STATUSES,
  FINISHED_STEP_STATUSES,
  LIVE_STEP_STATUSES,
  UNFINISHED_STEP_STATUSES,
  type TaskStatus,
} from '../statuses';
import type { CompensationTemplate, TemplateDefinition } from '../templates/template-definition';
import type { ActionActor } from './load-task-for-action';
import { recordTaskStatusChange } from './record-task-status-change';

/**
 * Compensates a task in error or cancelled: every step that is complete (or resolved_manually with
 * results) and whose template declares a `compensation` gets a step of its own (`compensate.<step>`,
 * kind compensation) that undoes it, after the compensations of the steps that depend on it (directly
 * or not). The task's unfinished steps are cancelled and the task goes to compensating; the engine runs
 * the compensations like any step, and the task ends compensated (updateTaskCountersSql). A compensation
 * step that exists from an earlier, interrupted compensation is reused. `dryRun` lists the plan and
 * writes nothing. Refused (409) in any other state, or when nothing can be compensated.
 */
export async function compensateTask(
  db: Db,
  { taskId, dryRun = false, ...who }: { taskId: number; dryRun?: boolean } & ActionActor,
): Promise<CompensateTaskResult> {
  return db.transaction(async (tx) => {
    const task = await lockTask(tx, taskId);
    if (!task) {
      throw new NotFoundError('task', String(taskId));
    }
    return compensateLockedTask(tx, task, { dryRun, ...who });
  });
}

/** The same, for a task the caller has locked in its transaction (bulk compensation, on_failure: compensate). */
export async function compensateLockedTask(
  tx: Tx,
  task: TaskRow,
  { dryRun, actor, reason }: { dryRun: boolean } & ActionActor,
): Promise<CompensateTaskResult> {
  if (!(COMPENSABLE_TASK_STATUSES as readonly string[]).includes(task.status)) {
    throw new ConflictError(`Cannot compensate task ${task.id}: it is ${task.status}; only a task in error or cancelled can be compensated`);
  }
  const definition = await findTemplateDefinition(tx, task.templateVersionId);
  const compensationOf = new Map(definition.steps.flatMap((step) => (step.compensation ? [[step.name, step.compensation] as const] : [])));
  const rows = await tx.select().from(steps).where(eq(steps.taskId, task.id)).orderBy(asc(steps.position)).for('update');
  const forward = rows.filter((row) => row.kind === 'step');
  const existing = new Map(rows.filter((row) => row.kind === 'compensation').map((row) => [row.compensatesStepId, row]));
  // resolved_manually counts only with results: an operator's results are what the compensation reads.
  const compensable = forward.filter(
    (row) =>
      compensationOf.has(row.name) &&
      (COMPENSABLE_STEP_STATUSES as readonly string[]).includes(row.status) &&
      (row.status === 'complete' || row.results !== null),
  );
  // A step whose results match its compensation's skip_when did not create what the compensation would
  // remove (it adopted an existing record): it is kept, and the walk of the plan goes through it.
  const skipped: CompensationSkip[] = compensable.flatMap((row) => {
    const reason = compensationSkipReason(compensationOf.get(row.name)!, row.results);
    return reason === null ? [] : [{ row, reason }];
  });
  const skippedIds = new Set(skipped.map(({ row }) => row.id));
  const candidates = compensable.filter((row) => !skippedIds.has(row.id));
  const skippedEntries = skipped.map(({ row, reason }) => ({ step: compensationStepName(row.name), compensates: row.name, reason }));
  if (candidates.length === 0) {
    throw new ConflictError(
      skipped.length > 0
        ? `Nothing to compensate in task ${task.id}: ${skippedEntries.map((entry) => `${entry.compensates}: ${entry.reason}`).join('; ')}`
        : `Nothing to compensate in task ${task.id}: no step that is complete (or resolved_manually with results) declares a compensation`,
    );
  }
  const plan = await planCompensations(tx, forward, candidates);
  const entries: CompensationPlanEntry[] = plan.map(({ row, after }) => {
    const compensation = compensationOf.get(row.name)!;
    return {
      step: compensationStepName(row.name),
      compensates: row.name,
      handler: compensation.handler,
      service: compensation.service,
      depends_on: after.map((dependent) => compensationStepName(dependent.name)),
    };
  });
  if (dryRun) {
    return { task_id: String(task.id), dry_run: true, status: task.status as TaskStatus, compensations: entries, skipped: skippedEntries };
  }

  const why = reason ?? `compensated by ${actor}`;
  // Forward steps that did not finish will not: the task is being undone.
  // (A compensation step that runs again below is not cancelled first.)
  const reusedIds = new Set(plan.flatMap(({ row }) => (existing.get(row.id) ? [existing.get(row.id)!.id] : [])));
  const unfinished = rows.filter((row) => (UNFINISHED_STEP_STATUSES as readonly string[]).includes(row.status) && !reusedIds.has(row.id));
  await markStepsCancelled(
    tx,
    unfinished.map((row) => row.id),
  );
  const transitionRows: Parameters<typeof insertTransitions>[1] = unfinished.map((row) => ({
    taskId: task.id,
    stepId: row.id,
    fromStatus: row.status,
    toStatus: 'cancelled',
    reason: `task compensated: ${why}`,
    actor,
    attempt: row.attempts || null,
  }));

  // A kept step stays as it is (complete): the audit says why its compensation did not run.
  transitionRows.push(
    ...skipped.map(({ row, reason }) => ({
      taskId: task.id,
      stepId: row.id,
      fromStatus: row.status,
      toStatus: row.status,
      reason: `not undone: ${reason}`,
      actor,
      attempt: null,
    })),
  );

  const basePosition = Math.max(...rows.map((row) => row.position)) + 1;
  const idByStepName = new Map<string, number>();
  for (const [index, { row, after }] of plan.entries()) {
    const compensation = compensationOf.get(row.name)!;
    const status = after.length === 0 ? 'ready' : 'pending';
    const reused = existing.get(row.id);
    if (reused) {
      await tx
        .update(steps)
        .set({
          ...compensationFields(compensation, row),
          status,
          pendingDependencies: after.length,
          runAt: status === 'ready' ? sql`now()` : null,
          roundStartAttempts: reused.attempts,
          rateLimitedSince: null,
          leaseExpiresAt: null,
          workerId: null,
          results: null,
          lastError: null,
          completedAt: null,
          updatedAt: sql`now()`,
        })
        .where(eq(steps.id, reused.id));
      await tx.delete(stepDependencies).where(eq(stepDependencies.stepId, reused.id));
      idByStepName.set(row.name, reused.id);
      transitionRows.push({ taskId: task.id, stepId: reused.id, fromStatus: reused.status, toStatus: status, reason: why, actor, attempt: null });
    } else {
      const [inserted] = await insertSteps(tx, [
        {
          taskId: task.id,
          name: compensationStepName(row.name),
          position: basePosition + index,
          kind: 'compensation',
          compensatesStepId: row.id,
          ...compensationFields(compensation, row),
          status,
          skippable: false,
          pendingDependencies: after.length,
          runAt: status === 'ready' ? sql`now()` : null,
        },
      ]);
      idByStepName.set(row.name, inserted!.id);
      transitionRows.push({ taskId: task.id, stepId: inserted!.id, fromStatus: null, toStatus: status, reason: why, actor, attempt: null });
    }
  }
  await insertStepDependencies(
    tx,
    plan.flatMap(({ row, after }) =>
      after.map((dependent) => ({ dependsOnStepId: idByStepName.get(dependent.name)!, stepId: idByStepName.get(row.name)! })),
    ),
  );
  await insertTransitions(tx, transitionRows);
  // Counted afresh: nothing of the task runs while it is in error or cancelled, and its row is locked.
  await tx
    .update(tasks)
    .set({
      status: 'compensating',
      compensationStartedAt: sql`coalesce(${tasks.compensationStartedAt}, now())`,
      completedAt: null,
      unfinishedSteps: sql`(select count(*)::int from ${steps} s where s.task_id = ${task.id} and s.status not in (${sql.join(
        FINISHED_STEP_STATUSES.map((status) => sql`${status}`),
        sql`, `,
      )}))`,
      liveSteps: sql`(select count(*)::int from ${steps} s where s.task_id = ${task.id} and s.status in (${sql.join(
        LIVE_STEP_STATUSES.map((status) => sql`${status}`),
        sql`, `,
      )}))`,
      updatedAt: sql`now()`,
    })
    .where(eq(tasks.id, task.id));
  await recordTaskStatusChange(tx, task, 'compensating', { actor, reason: why });
  await tx.execute(sql`select pg_notify(${STEPS_READY_CHANNEL}, '')`);
  return { task_id: String(task.id), dry_run: false, status: 'compensating', compensations: entries, skipped: skippedEntries };
}

type CompensationSkip = { row: StepRow; reason: string };

/**
 * Why the compensation is not run for a step with these results: each field of its `skip_when` holds
 * that value (e.g. `already_existed: true`, a record the step adopted rather than created); null to run it.
 */
function compensationSkipReason(compensation: CompensationTemplate, results: unknown): string | null {
  const skipWhen = compensation.skipWhen;
  if (!skipWhen || results === null || typeof results !== 'object' || Array.isArray(results)) {
    return null;
  }
  const fields = Object.entries(skipWhen);
  const matches = fields.every(([field, value]) => Object.hasOwn(results, field) && (results as Record<string, unknown>)[field] === value);
  if (!matches) {
    return null;
  }
  const said = fields.map(([field, value]) => `${field}: ${JSON.stringify(value)}`).join(', ');
  return `its results say ${said} (the compensation's skip_when): it did not create what the compensation would undo`;
}

function compensationFields(compensation: CompensationTemplate, undone: StepRow) {
  return {
    handler: compensation.handler,
    handlerConfig: compensation.handlerConfig,
    service: compensation.service,
    retryable: true,
    retryLimit: compensation.retryLimit,
    timeoutSeconds: compensation.timeoutSeconds,
    backoff: undone.backoff,
  };
}

async function findTemplateDefinition(tx: Tx, templateVersionId: number): Promise<TemplateDefinition> {
  const [row] = await tx.select({ definition: templateVersions.definition }).from(templateVersions).where(eq(templateVersions.id, templateVersionId));
  return row!.definition as TemplateDefinition;
}

/**
 * The candidates in an order their compensations can start, each with the candidates whose
 * compensation must finish first: those that depend on it, directly or through steps without one.
 */
async function planCompensations(tx: Tx, forward: readonly StepRow[], candidates: readonly StepRow[]): Promise<{ row: StepRow; after: StepRow[] }[]> {
  const dependents = await findDependentsByStep(
    tx,
    forward.map((row) => row.id),
  );
  const candidateIds = new Set(candidates.map((row) => row.id));
  const byId = new Map(forward.map((row) => [row.id, row]));
  // The nearest candidates downstream: a walk stops at one, whose own compensation waits for those beyond it.
  const nearestCandidatesAfter = (id: number): number[] => {
    const seen = new Set<number>();
    const found: number[] = [];
    const stack = [...(dependents.get(id) ?? [])];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (seen.has(next)) {
        continue;
      }
      seen.add(next);
      if (candidateIds.has(next)) {
        found.push(next);
      } else {
        stack.push(...(dependents.get(next) ?? []));
      }
    }
    return found;
  };
  const after = new Map(candidates.map((row) => [row.id, nearestCandidatesAfter(row.id)]));
  // Kahn's algorithm over "after": those with nothing to wait for first, in reverse template order.
  const ordered: { row: StepRow; after: StepRow[] }[] = [];
  const placed = new Set<number>();
  const remaining = [...candidates].reverse();
  while (remaining.length > 0) {
    const index = remaining.findIndex((row) => (after.get(row.id) ?? []).every((id) => placed.has(id)));
    const [row] = remaining.splice(index === -1 ? 0 : index, 1);
    placed.add(row!.id);
    ordered.push({ row: row!, after: (after.get(row!.id) ?? []).map((id) => byId.get(id)!).sort((a, b) => a.position - b.position) });
  }
  return ordered;
}
