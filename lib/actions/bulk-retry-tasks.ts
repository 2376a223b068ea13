import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { bulkActions, bulkActionTasks, steps, tasks } from '../../db/schema';
import type { BulkRetryResult } from '../api/types';
import { AppError } from '../errors';
import { stepFilterSql, taskFilterConditions, type TaskFilter } from '../reads/task-filter-sql';
import { canRetryStep, OPEN_TASK_STATUSES } from '../statuses';
import { lockTaskForActionOrThrow, type ActionActor } from './load-task-for-action';
import { makeStepReadyAgain } from './retry-step';

/** The most tasks one call retries; the rest match again on the next call, since retried tasks no longer do. */
const BULK_RETRY_TASK_LIMIT = 10_000;
const TASK_IDS_SHOWN = 100;

export type BulkRetryInput = ({ filter: TaskFilter; ids?: undefined } | { ids: number[]; filter?: undefined }) &
  ActionActor & { dryRun: boolean; limit?: number };

/**
 * Retries many tasks at once: in each task picked by `filter` (the filters of GET /tasks) or by `ids`,
 * the steps in error go back to ready. A filter that names `step`, `step_status` (error and/or
 * waiting_retry) or `error_signature` narrows which steps are retried to those. `dryRun` only counts.
 * Each task is retried in its own transaction, as POST /tasks/{id}/retry would; a task that changed
 * in between (finished, or nothing left to retry) is counted in `skipped`.
 */
export async function bulkRetryTasks(db: Db, input: BulkRetryInput): Promise<BulkRetryResult> {
  const limit = input.limit ?? BULK_RETRY_TASK_LIMIT;
  const filter: TaskFilter = input.filter ?? {};
  // As GET /tasks reads the filter: retrying_before alone is about steps waiting to retry.
  const retryStatuses = (filter.step_status ?? (filter.retrying_before !== undefined ? ['waiting_retry'] : ['error'])).filter(canRetryStep);
  const stepCriteria =
    stepFilterSql(
      { step: filter.step, step_status: retryStatuses, error_signature: filter.error_signature, retrying_before: filter.retrying_before },
      { pathPrefix: '/filter' },
    ) ?? sql`true`;
  const taskConditions = input.ids
    ? [inArray(tasks.id, input.ids)]
    : await taskFilterConditions(
        db,
        { ...filter, step: undefined, step_status: undefined, error_signature: undefined, retrying_before: undefined },
        '/filter',
      );
  const candidates = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      and(
        ...taskConditions,
        inArray(tasks.status, [...OPEN_TASK_STATUSES]),
        sql`exists (select 1 from ${steps} where ${steps.taskId} = ${tasks.id} and ${stepCriteria})`,
      ),
    )
    .orderBy(asc(tasks.id))
    .limit(limit + 1);
  const truncated = candidates.length > limit;
  const taskIds = candidates.slice(0, limit).map((row) => row.id);

  if (input.dryRun) {
    const stepCounts = taskIds.length
      ? await db
          .select({ name: steps.name, count: sql<number>`count(*)::int` })
          .from(steps)
          .where(and(sql`${steps.taskId} = any(${`{${taskIds.join(',')}}`}::bigint[])`, stepCriteria))
          .groupBy(steps.name)
          .orderBy(sql`count(*) desc`, asc(steps.name))
      : [];
    return {
      dry_run: true,
      tasks: taskIds.length,
      steps: stepCounts.map((row) => ({ name: row.name, count: Number(row.count) })),
      task_ids: taskIds.slice(0, TASK_IDS_SHOWN).map(String),
      truncated,
      limit,
    };
  }

  // The bulk action names the tasks it changes (bulk_action_tasks, written with each one), so that its
  // progress can be followed (GET /bulk-actions/{id}) and its tasks listed (GET /tasks?bulk_action=).
  // None is recorded when nothing matched.
  const bulkActionId = taskIds.length > 0 ? await recordBulkAction(db, input) : undefined;
  const retriedByStep = new Map<string, number>();
  const retriedTaskIds: number[] = [];
  let skipped = 0;
  for (const taskId of taskIds) {
    try {
      const retried = await db.transaction(async (tx) => {
        let task = await lockTaskForActionOrThrow(tx, taskId, 'retry the task');
        const chosen = await tx
          .select()
          .from(steps)
          .where(and(eq(steps.taskId, task.id), stepCriteria))
          .orderBy(asc(steps.position))
          .for('update');
        for (const step of chosen) {
          await makeStepReadyAgain(tx, task, step, { actor: input.actor, reason: input.reason });
          // The first retry moves an error task to in_progress: later steps see that status.
          task = { ...task, status: task.status === 'error' ? 'in_progress' : task.status };
        }
        if (chosen.length > 0 && bulkActionId !== undefined) {
          await tx.insert(bulkActionTasks).values({ bulkActionId, taskId: task.id });
        }
        return chosen.map((step) => step.name);
      });
      if (retried.length === 0) {
        skipped += 1;
        continue;
      }
      retriedTaskIds.push(taskId);
      for (const name of retried) {
        retriedByStep.set(name, (retriedByStep.get(name) ?? 0) + 1);
      }
    } catch (error) {
      // Another operator or the orchestrator got there first; the rest of the batch goes on.
      if (error instanceof AppError && (error.code === 'conflict' || error.code === 'not_found')) {
        skipped += 1;
        continue;
      }
      throw error;
    }
  }
  return {
    dry_run: false,
    tasks: retriedTaskIds.length,
    steps: [...retriedByStep.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name, count]) => ({ name, count })),
    task_ids: retriedTaskIds.slice(0, TASK_IDS_SHOWN).map(String),
    truncated,
    limit,
    skipped,
    ...(bulkActionId !== undefined ? { bulk_action_id: String(bulkActionId) } : {}),
  };
}

async function recordBulkAction(db: Db, input: BulkRetryInput): Promise<number> {
  const [row] = await db
    .insert(bulkActions)
    .values({ action: 'retry', actor: input.actor, reason: input.reason ?? null })
    .returning({ id: bulkActions.id });
  if (!row) {
    throw new Error('the bulk action was not recorded');
  }
  return row.id;
}
