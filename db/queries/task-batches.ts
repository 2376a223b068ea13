import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { steps, tasks, type TaskRow } from '../schema';
import type { NewStep, NewTask } from './tasks';

/** Rows per INSERT statement (a task row has 14 parameters, a step row 14: well under PostgreSQL's 65,535). */
const BATCH_CHUNK_ROWS = 1000;

function chunk<T>(rows: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += BATCH_CHUNK_ROWS) {
    chunks.push(rows.slice(start, start + BATCH_CHUNK_ROWS));
  }
  return chunks;
}

export type TaskKeys = { namespace: string; name: string; idempotencyKey: string | null; identityKey: string | null };

/**
 * The tasks holding any of these idempotency keys or identity keys (each within its template), in two
 * statements whatever the number of keys: the keys travel as one JSON parameter.
 */
export async function findTasksByAnyKeys(dbOrTx: DbOrTx, keys: readonly TaskKeys[]): Promise<{ byKey: TaskRow[]; byIdentity: TaskRow[] }> {
  const withKey = keys
    .filter((key) => key.idempotencyKey !== null)
    .map((key) => ({ namespace: key.namespace, name: key.name, key: key.idempotencyKey }));
  const withIdentity = keys
    .filter((key) => key.identityKey !== null)
    .map((key) => ({ namespace: key.namespace, name: key.name, key: key.identityKey }));
  const byKey =
    withKey.length === 0
      ? []
      : await dbOrTx
          .select()
          .from(tasks)
          .where(
            sql`(${tasks.namespace}, ${tasks.name}, ${tasks.idempotencyKey}) in
              (select k.namespace, k.name, k.key from jsonb_to_recordset(${JSON.stringify(withKey)}::jsonb) as k(namespace text, name text, key text))`,
          );
  const byIdentity =
    withIdentity.length === 0
      ? []
      : await dbOrTx
          .select()
          .from(tasks)
          .where(
            sql`(${tasks.namespace}, ${tasks.name}, ${tasks.identityKey}) in
              (select k.namespace, k.name, k.key from jsonb_to_recordset(${JSON.stringify(withIdentity)}::jsonb) as k(namespace text, name text, key text))`,
          );
  return { byKey, byIdentity };
}

/** Inserts the tasks, multi-row, skipping any whose idempotency or identity key is taken: the rows inserted. */
export async function insertTasksUnlessDuplicate(tx: DbOrTx, rows: readonly NewTask[]): Promise<TaskRow[]> {
  const inserted: TaskRow[] = [];
  for (const part of chunk(rows)) {
    inserted.push(...(await tx.insert(tasks).values(part).onConflictDoNothing().returning()));
  }
  return inserted;
}

/** Inserts the steps of many tasks, multi-row: each with its task, name and status. */
export async function insertStepsOfTasks(tx: DbOrTx, rows: readonly NewStep[]) {
  const inserted: { id: number; taskId: number; name: string; status: string }[] = [];
  for (const part of chunk(rows)) {
    inserted.push(...(await tx.insert(steps).values(part).returning({ id: steps.id, taskId: steps.taskId, name: steps.name, status: steps.status })));
  }
  return inserted;
}
