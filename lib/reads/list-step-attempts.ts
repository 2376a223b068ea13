import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { findTask } from '../../db/queries/tasks';
import { stepAttempts, steps } from '../../db/schema';
import type { Attempt } from '../api/types';
import { NotFoundError } from '../errors';
import type { AttemptOutcome } from '../statuses';
import { parseId } from '../parse-id';
import { toIso } from './task-views';

/** Every attempt of a step (by name or id), first attempt first. Throws NotFoundError for the task or step. */
export async function listStepAttempts(db: DbOrTx, { taskId, step: stepRef }: { taskId: string; step: string }): Promise<Attempt[]> {
  const id = parseId(taskId);
  const task = id === undefined ? undefined : await findTask(db, id);
  if (!task) {
    throw new NotFoundError('task', taskId);
  }
  const stepId = parseId(stepRef);
  const [step] = await db
    .select({ id: steps.id })
    .from(steps)
    .where(and(eq(steps.taskId, task.id), stepId === undefined ? eq(steps.name, stepRef) : or(eq(steps.id, stepId), eq(steps.name, stepRef))))
    .orderBy(sql`${steps.name} = ${stepRef} desc`)
    .limit(1);
  if (!step) {
    throw new NotFoundError('step', `${stepRef} in task ${task.id}`);
  }
  const rows = await db.select().from(stepAttempts).where(eq(stepAttempts.stepId, step.id)).orderBy(asc(stepAttempts.number));
  return rows.map((row) => ({
    number: row.number,
    worker_id: row.workerId,
    started_at: row.startedAt.toISOString(),
    finished_at: toIso(row.finishedAt),
    outcome: row.outcome as AttemptOutcome,
    error:
      row.errorClass === null && row.errorMessage === null && row.errorCode === null
        ? null
        : { class: row.errorClass, message: row.errorMessage, code: row.errorCode },
    http_status: row.httpStatus,
    duration_ms: row.durationMs,
  }));
}
