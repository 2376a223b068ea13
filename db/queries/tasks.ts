import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgInsertValue } from 'drizzle-orm/pg-core';
import { queryRows, type DbOrTx } from '../client';
import { stepDependencies, steps, tasks, transitions, type TaskRow } from '../schema';
import { OPEN_TASK_STATUSES } from '../statuses';
import { toSqlList } from '../to-sql-list';

export type NewTask = typeof tasks.$inferInsert;
export type NewStep = PgInsertValue<typeof steps>;
export type NewTransition = typeof transitions.$inferInsert;

/** Inserts the task unless its idempotency or identity key is taken; undefined then. */
export async function insertTaskUnlessDuplicate(tx: DbOrTx, task: NewTask): Promise<TaskRow | undefined> {
  const [row] = await tx.insert(tasks).values(task).onConflictDoNothing().returning();
  return row;
}

/** A stored task found by one of a request's keys, and which. */
export type TaskKeyMatch = { task: TaskRow; matchedBy: 'idempotency_key' | 'identity' };

export async function findTask(dbOrTx: DbOrTx, taskId: number): Promise<TaskRow | undefined> {
  const [row] = await dbOrTx.select().from(tasks).where(eq(tasks.id, taskId));
  return row;
}

/**
 * The tasks and each one's revision: how many audit rows it has, counted in the same statement. Every
 * change of a task or its steps writes one and none is ever removed, and a later read sees every row an
 * earlier one saw: of two reads of a task, the one with the larger revision is the newer, and equal ones
 * saw the same changes. (The latest row's id would not do: ids are taken in insert order, and rows commit
 * in another.) Tasks not found are left out.
 */
export async function findTasksWithRevision(dbOrTx: DbOrTx, taskIds: readonly number[]): Promise<{ task: TaskRow; revision: string }[]> {
  if (taskIds.length === 0) {
    return [];
  }
  return dbOrTx
    .select({ task: tasks, revision: sql<string>`(select count(*)::text from ${transitions} tr where tr.task_id = "tasks"."id")` })
    .from(tasks)
    .where(inArray(tasks.id, [...taskIds]));
}

/** Locks the task row: operator actions on one task take turns. */
export async function lockTask(tx: DbOrTx, taskId: number): Promise<TaskRow | undefined> {
  const [row] = await tx.select().from(tasks).where(eq(tasks.id, taskId)).for('update');
  return row;
}

/**
 * Rows per INSERT statement. One statement for a whole large task fails: PostgreSQL takes at most 65,535
 * parameters (a step row has 13), and Drizzle overflows the stack building a statement of 10,000 rows.
 * The caller's transaction still makes the chunks one change.
 */
const INSERT_CHUNK_ROWS = 1000;

function chunk<T>(rows: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
    chunks.push(rows.slice(start, start + INSERT_CHUNK_ROWS));
  }
  return chunks;
}

export async function insertSteps(tx: DbOrTx, rows: NewStep[]) {
  const inserted: { id: number; name: string; status: string }[] = [];
  for (const part of chunk(rows)) {
    inserted.push(...(await tx.insert(steps).values(part).returning({ id: steps.id, name: steps.name, status: steps.status })));
  }
  return inserted;
}

export async function insertStepDependencies(tx: DbOrTx, rows: { dependsOnStepId: number; stepId: number }[]) {
  for (const part of chunk(rows)) {
    await tx.insert(stepDependencies).values(part);
  }
}

export async function insertTransitions(tx: DbOrTx, rows: NewTransition[]) {
  for (const part of chunk(rows)) {
    await tx.insert(transitions).values(part);
  }
}

/**
 * The task-status rule, the one place it is written: applies `task_deltas(task_id, unfinished, live)`
 * (a CTE the caller defines) to the tasks' step counters, and derives each open task's status from them:
 * no unfinished step left → complete (completed_at set); unfinished steps but none live → error;
 * otherwise in_progress, but a pending task stays pending (only a claim starts a task). A task whose
 * compensation has started (compensation_started_at) says compensated for complete and compensating
 * for in_progress: its unfinished steps are then its compensations. A finished task
 * keeps its status and completed_at. Returns id, status and previous_status of each task.
 *
 * The counters are updated in place, so concurrent statements on one task serialise on its row and see
 * each other's effect (READ COMMITTED re-evaluates the row it waited for).
 */
export function updateTaskCountersSql(): SQL {
  const open = toSqlList(OPEN_TASK_STATUSES);
  return sql`
      update tasks t set unfinished_steps = t.unfinished_steps + td.unfinished, live_steps = t.live_steps + td.live,
        status = case
          when t.status not in (${open}) then t.status
          when t.unfinished_steps + td.unfinished = 0 then case when t.compensation_started_at is null then 'complete' else 'compensated' end
          when t.live_steps + td.live = 0 then 'error'
          when t.status = 'pending' then 'pending'
          when t.compensation_started_at is not null then 'compensating'
          else 'in_progress' end,
        completed_at = case when t.status in (${open}) and t.unfinished_steps + td.unfinished = 0
          then now() else t.completed_at end,
        updated_at = now()
      from task_deltas td where t.id = td.task_id
      returning t.id, t.status, (select status from tasks previous where previous.id = t.id) as previous_status`;
}

/** Writes a system transition for each task of `updated_tasks` (see updateTaskCountersSql) whose status changed. */
export function insertTaskFinishTransitionsSql(): SQL {
  return sql`
      insert into transitions (task_id, from_status, to_status, reason, actor)
      select id, previous_status, status,
        case status when 'complete' then 'every step finished' when 'error' then 'a step failed and no other step can run'
          when 'compensated' then 'every compensation finished' when 'compensating' then 'compensation can go on'
          else 'work can go on' end, 'system'
      from updated_tasks where status is distinct from previous_status`;
}

/**
 * Adds deltas to one task's step counters and derives its status by the rule above. Returns the status
 * after; the caller records the change with its actor.
 */
export async function applyTaskCounterDeltas(
  tx: DbOrTx,
  taskId: number,
  { unfinished, live }: { unfinished: number; live: number },
): Promise<{ status: string } | undefined> {
  const [row] = await queryRows<{ status: string }>(
    tx,
    sql`with task_deltas as (select ${taskId}::bigint as task_id, ${unfinished}::int as unfinished, ${live}::int as live),
      updated_tasks as (${updateTaskCountersSql()})
      select status from updated_tasks`,
  );
  return row;
}
