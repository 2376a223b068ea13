import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { TASKS_CHANGED_CHANNEL } from '../../db/queries/steps';
import { insertTransitions } from '../../db/queries/tasks';
import type { TaskRow } from '../../db/schema';
import type { ActionActor } from './load-task-for-action';

/** Writes the task's transition when an action changed its status, and tells live views either way. */
export async function recordTaskStatusChange(tx: Tx, task: TaskRow, newStatus: string | undefined, { actor, reason }: ActionActor): Promise<void> {
  if (newStatus && newStatus !== task.status) {
    await insertTransitions(tx, [{ taskId: task.id, fromStatus: task.status, toStatus: newStatus, reason: reason ?? 'operator action', actor }]);
  }
  await tx.execute(sql`select pg_notify(${TASKS_CHANGED_CHANNEL}, ${String(task.id)})`);
}
