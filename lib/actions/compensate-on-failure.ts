import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client';
import { lockTask } from '../../db/queries/tasks';
import { AppError } from '../errors';
import { compensateLockedTask } from './compensate-task';

type Logger = { warn(fields: Record<string, unknown>, message: string): void };

/**
 * `on_failure: compensate`: the tasks of these steps (just failed for good) whose template says so, and
 * that are now in error and were never compensated, start compensating at once, as the system. A task
 * with nothing to compensate stays in error. A compensation that fails for good leaves its task in error
 * for an operator (compensation_started_at is set, so it does not start again). Each task in its own
 * transaction; never throws.
 */
export async function compensateFailedTasks(db: Db, failedStepIds: readonly number[], log: Logger): Promise<number> {
  if (failedStepIds.length === 0) {
    return 0;
  }
  let started = 0;
  try {
    const rows = await queryRows<{ id: string | number; step: string }>(
      db,
      sql`select distinct on (t.id) t.id, s.name as step from steps s
          join tasks t on t.id = s.task_id
          join template_versions v on v.id = t.template_version_id
          where s.id = any(${`{${failedStepIds.join(',')}}`}::bigint[]) and t.status = 'error'
            and t.compensation_started_at is null and v.definition->>'onFailure' = 'compensate'
          order by t.id, s.id`,
    );
    for (const row of rows) {
      const taskId = Number(row.id);
      try {
        await db.transaction(async (tx) => {
          const task = await lockTask(tx, taskId);
          if (task?.status === 'error' && task.compensationStartedAt === null) {
            await compensateLockedTask(tx, task, {
              dryRun: false,
              actor: 'system',
              reason: `on_failure: compensate (step ${row.step} failed for good)`,
            });
            started += 1;
          }
        });
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'conflict')) {
          log.warn({ task_id: taskId, error: String(error) }, 'could not start the compensation of a failed task (on_failure: compensate)');
        }
      }
    }
  } catch (error) {
    log.warn({ error: String(error) }, 'could not look for failed tasks to compensate (on_failure: compensate)');
  }
  return started;
}
