import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { findTask } from '../../db/queries/tasks';
import { stepAttempts, steps } from '../../db/schema';
import type { Attempt, AttemptLogLine, AttemptRequest, AttemptResponse } from '../api/types';
import { NotFoundError } from '../errors';
import type { AttemptOutcome } from '../statuses';
import { stepRefSql } from './step-ref-sql';
import { toIso } from './task-views';

/** Every attempt of a step (by name or id), first attempt first. Throws NotFoundError for the task or step. */
export async function listStepAttempts(db: DbOrTx, { taskId, step: stepRef }: { taskId: number; step: string }): Promise<Attempt[]> {
  const task = await findTask(db, taskId);
  if (!task) {
    throw new NotFoundError('task', String(taskId));
  }
  const { where, nameFirst } = stepRefSql(task.id, stepRef);
  const [step] = await db.select({ id: steps.id }).from(steps).where(where).orderBy(nameFirst).limit(1);
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
    service_calls: row.serviceCalls,
    // Written by the statement that closed the attempt, in these shapes (lib/engine/attempt-recorder.ts).
    request: row.request as AttemptRequest | null,
    response: row.response as AttemptResponse | null,
    logs: (row.logs as AttemptLogLine[] | null) ?? [],
  }));
}
