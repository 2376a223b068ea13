import { and, asc, inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client';
import { tasks } from '../../db/schema';
import { toSqlList } from '../../db/to-sql-list';
import type { BulkActionResult } from '../api/types';
import { AppError } from '../errors';
import { taskFilterConditions, type TaskFilter } from '../reads/task-filter-sql';
import { COMPENSABLE_STEP_STATUSES, COMPENSABLE_TASK_STATUSES, OPEN_TASK_STATUSES, UNFINISHED_STEP_STATUSES } from '../statuses';
import { cancelTask } from './cancel-task';
import { compensateTask } from './compensate-task';
import type { ActionActor } from './load-task-for-action';

/** The most tasks one call changes; the rest match again on the next call, since changed tasks no longer do. */
const BULK_TASK_LIMIT = 10_000;
const IDS_SHOWN = 100;

type BulkTaskActionName = 'cancel' | 'compensate';

export type BulkTaskActionInput = ({ filter: TaskFilter; ids?: undefined } | { ids: number[]; filter?: undefined }) &
  ActionActor & { action: BulkTaskActionName; dryRun: boolean; limit?: number };

/** What each action applies to: the tasks it may change, and the steps it changes in each (by name, for the counts). */
const ACTIONS: Record<BulkTaskActionName, { eligible: SQL; steps: (taskIds: SQL) => SQL }> = {
  cancel: {
    eligible: sql`${tasks.status} in (${toSqlList(OPEN_TASK_STATUSES)})`,
    steps: (taskIds) =>
      sql`select s.task_id, s.name from steps s where s.task_id = any(${taskIds}) and s.status in (${toSqlList(UNFINISHED_STEP_STATUSES)})`,
  },
  compensate: {
    // A complete step (or resolved_manually with results) whose template step declares a compensation.
    eligible: sql`${tasks.status} in (${toSqlList(COMPENSABLE_TASK_STATUSES)}) and exists (${compensableStepsSql(sql`${tasks.id}`)})`,
    steps: (taskIds) => sql`select s.task_id, s.name from steps s join tasks t on t.id = s.task_id
      join template_versions v on v.id = t.template_version_id
      where s.task_id = any(${taskIds}) and ${compensableStepCondition()}`,
  },
};

function compensableStepCondition(): SQL {
  return sql`s.kind = 'step' and s.status in (${toSqlList(COMPENSABLE_STEP_STATUSES)}) and (s.status = 'complete' or s.results is not null)
    and exists (select 1 from jsonb_array_elements(v.definition->'steps') e where e->>'name' = s.name and e ? 'compensation'
      -- not when its results match the compensation's skip_when (compensationSkipReason): it adopted, not created
      and not (e->'compensation' ? 'skipWhen' and jsonb_typeof(s.results) = 'object' and s.results @> (e->'compensation'->'skipWhen')))`;
}

function compensableStepsSql(taskId: SQL): SQL {
  return sql`select 1 from steps s join template_versions v on v.id = ${tasks.templateVersionId} where s.task_id = ${taskId} and ${compensableStepCondition()}`;
}

/**
 * POST /tasks/bulk/{cancel|compensate}: the action on each task picked by `filter` (the filters of GET
 * /tasks) or by `ids`, each in its own transaction as POST /tasks/{id}/{action} would, so that one refused
 * task does not stop the others: `refused` lists each with why (a task that changed in between, an id in
 * another state). At most `limit` (10,000) tasks a call; `truncated` says to call again. `dryRun` counts the
 * tasks and the steps it would change, and writes nothing.
 */
export async function bulkTaskAction(db: Db, input: BulkTaskActionInput): Promise<BulkActionResult> {
  const limit = input.limit ?? BULK_TASK_LIMIT;
  const action = ACTIONS[input.action];
  const selection = input.ids ? [inArray(tasks.id, input.ids)] : await taskFilterConditions(db, input.filter, '/filter');
  const candidates = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(...selection, action.eligible))
    .orderBy(asc(tasks.id))
    .limit(limit + 1);
  const truncated = candidates.length > limit;
  const taskIds = candidates.slice(0, limit).map((row) => row.id);
  const refused: { id: string; reason: string }[] = [];
  if (input.ids) {
    // A named task the action does not apply to is refused, saying why; the others go on.
    const picked = new Set(taskIds);
    const others = input.ids.filter((id) => !picked.has(id));
    const found = others.length ? await db.select({ id: tasks.id, status: tasks.status }).from(tasks).where(inArray(tasks.id, others)) : [];
    const statusOf = new Map(found.map((row) => [row.id, row.status]));
    for (const id of others.slice(0, truncated ? 0 : others.length)) {
      const status = statusOf.get(id);
      refused.push({ id: String(id), reason: status === undefined ? 'no such task' : describeIneligible(input.action, status) });
    }
  }
  const stepsByTask = await readStepNames(db, action, taskIds);

  if (input.dryRun) {
    return result(input.action, true, taskIds, stepsByTask, truncated, limit, refused);
  }
  const changed: number[] = [];
  for (const taskId of taskIds) {
    try {
      if (input.action === 'cancel') {
        await cancelTask(db, { taskId, actor: input.actor, reason: input.reason });
      } else {
        await compensateTask(db, { taskId, actor: input.actor, reason: input.reason });
      }
      changed.push(taskId);
    } catch (error) {
      // Another operator or the orchestrator got there first; the rest of the batch goes on.
      if (error instanceof AppError && (error.code === 'conflict' || error.code === 'not_found')) {
        refused.push({ id: String(taskId), reason: error.message });
        continue;
      }
      throw error;
    }
  }
  return result(input.action, false, changed, stepsByTask, truncated, limit, refused);
}

function describeIneligible(action: BulkTaskActionName, status: string): string {
  if (action === 'cancel') {
    return `the task is ${status}; only a task that is pending, in progress, in error or compensating can be cancelled`;
  }
  return (COMPENSABLE_TASK_STATUSES as readonly string[]).includes(status)
    ? 'nothing to compensate: no step that is complete (or resolved_manually with results) declares a compensation to run (one whose skip_when its results match is kept)'
    : `the task is ${status}; only a task in error or cancelled can be compensated`;
}

async function readStepNames(db: Db, action: (typeof ACTIONS)[BulkTaskActionName], taskIds: number[]): Promise<Map<number, string[]>> {
  const byTask = new Map<number, string[]>();
  if (taskIds.length === 0) {
    return byTask;
  }
  const rows = await queryRows<{ task_id: string | number; name: string }>(db, action.steps(sql`${`{${taskIds.join(',')}}`}::bigint[]`));
  for (const row of rows) {
    const id = Number(row.task_id);
    byTask.set(id, [...(byTask.get(id) ?? []), row.name]);
  }
  return byTask;
}

function result(
  action: BulkTaskActionName,
  dryRun: boolean,
  taskIds: number[],
  stepsByTask: Map<number, string[]>,
  truncated: boolean,
  limit: number,
  refused: { id: string; reason: string }[],
): BulkActionResult {
  const counts = new Map<string, number>();
  for (const id of taskIds) {
    for (const name of stepsByTask.get(id) ?? []) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return {
    action,
    dry_run: dryRun,
    tasks: taskIds.length,
    steps: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name, count]) => ({ name, count })),
    task_ids: taskIds.slice(0, IDS_SHOWN).map(String),
    truncated,
    limit,
    refused: refused.slice(0, IDS_SHOWN),
    refused_count: refused.length,
  };
}
