import { and, eq, sql } from 'drizzle-orm';
import type { PgInsertValue } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../client';
import { stepDependencies, steps, type TaskRow, tasks, transitions } from '../schema';

export type NewTask = typeof tasks.$inferInsert;
export type NewStep = PgInsertValue<typeof steps>;
export type NewTransition = typeof transitions.$inferInsert;

/** Inserts the task unless its idempotency or identity key is taken; undefined then. */
export async function insertTaskUnlessDuplicate(tx: DbOrTx, task: NewTask): Promise<TaskRow | undefined> {
  const [row] = await tx.insert(tasks).values(task).onConflictDoNothing().returning();
  return row;
}

export type TaskKeyMatch = { task: TaskRow; matchedBy: 'idempotency_key' | 'identity' };

/** The task of the template holding this idempotency key, else the one with this identity; which key matched. */
export async function findTaskByKeys(
  dbOrTx: DbOrTx,
  { namespace, name, idempotencyKey, identityKey }: { namespace: string; name: string; idempotencyKey?: string | null; identityKey?: string | null },
): Promise<TaskKeyMatch | undefined> {
  if (idempotencyKey) {
    const [row] = await dbOrTx
      .select()
      .from(tasks)
      .where(and(eq(tasks.namespace, namespace), eq(tasks.name, name), eq(tasks.idempotencyKey, idempotencyKey)));
    if (row) {
      return { task: row, matchedBy: 'idempotency_key' };
    }
  }
  if (identityKey) {
    const [row] = await dbOrTx
      .select()
      .from(tasks)
      .where(and(eq(tasks.namespace, namespace), eq(tasks.name, name), eq(tasks.identityKey, identityKey)));
    return row ? { task: row, matchedBy: 'identity' } : undefined;
  }
  return undefined;
}

export async function findTask(dbOrTx: DbOrTx, taskId: number): Promise<TaskRow | undefined> {
  const [row] = await dbOrTx.select().from(tasks).where(eq(tasks.id, taskId));
  return row;
}

/**
 * The task and its revision: how many audit rows it has, counted in the same statement. Every change of a
 * task or its steps writes one and none is ever removed, and a later read sees every row an earlier one
 * saw: of two reads of a task, the one with the larger revision is the newer, and equal ones saw the same
 * changes. (The latest row's id would not do: ids are taken in insert order, and rows commit in another.)
 */
export async function findTaskWithRevision(dbOrTx: DbOrTx, taskId: number): Promise<{ task: TaskRow; revision: string } | undefined> {
  const [row] = await dbOrTx
    .select({ task: tasks, revision: sql<string>`(select count(*)::text from ${transitions} tr where tr.task_id = ${taskId})` })
    .from(tasks)
    .where(eq(tasks.id, taskId));
  return row;
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
export const INSERT_CHUNK_ROWS = 1000;

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
 * Adds deltas to the task's step counters and derives its status from them, as the orchestrator's
 * statements do. Returns the status before and after.
 */
export async function applyTaskCounterDeltas(
  tx: DbOrTx,
  taskId: number,
  { unfinished, live }: { unfinished: number; live: number },
): Promise<{ status: string } | undefined> {
  const [row] = await tx
    .update(tasks)
    .set({
      unfinishedSteps: sql`${tasks.unfinishedSteps} + ${unfinished}`,
      liveSteps: sql`${tasks.liveSteps} + ${live}`,
      status: sql`case
        when ${tasks.status} not in ('pending', 'in_progress', 'error') then ${tasks.status}
        when ${tasks.unfinishedSteps} + ${unfinished} = 0 then 'complete'
        when ${tasks.liveSteps} + ${live} = 0 then 'error'
        when ${tasks.status} = 'pending' then 'pending'
        else 'in_progress' end`,
      completedAt: sql`case when ${tasks.unfinishedSteps} + ${unfinished} = 0 then now() else ${tasks.completedAt} end`,
      updatedAt: sql`now()`,
    })
    .where(eq(tasks.id, taskId))
    .returning({ status: tasks.status });
  return row;
}

export async function updateTaskStatus(tx: DbOrTx, taskId: number, status: string) {
  await tx.update(tasks).set({ status, updatedAt: sql`now()` }).where(eq(tasks.id, taskId));
}
