import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { findTask } from '../../db/queries/tasks';
import { steps, transitions } from '../../db/schema';
import type { Transition } from '../api/types';
import { NotFoundError } from '../errors';

/** The audit trail of a task and its steps, oldest first. Throws NotFoundError. */
export async function listTaskTransitions(db: DbOrTx, taskId: number): Promise<Transition[]> {
  const task = await findTask(db, taskId);
  if (!task) {
    throw new NotFoundError('task', String(taskId));
  }
  const rows = await db
    .select({ transition: transitions, stepName: steps.name })
    .from(transitions)
    .leftJoin(steps, eq(steps.id, transitions.stepId))
    .where(eq(transitions.taskId, task.id))
    .orderBy(asc(transitions.id));
  return rows.map(({ transition, stepName }) => ({
    id: String(transition.id),
    task_id: String(transition.taskId),
    step_id: transition.stepId === null ? null : String(transition.stepId),
    step_name: stepName,
    from_status: transition.fromStatus,
    to_status: transition.toStatus,
    reason: transition.reason,
    actor: transition.actor,
    attempt: transition.attempt,
    details: transition.details ?? null,
    created_at: transition.createdAt.toISOString(),
  }));
}
