import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { createTask } from '../../lib/actions/create-task';
import { DIAMOND } from '../lib/diamond';
import { pollUntil, sleep } from '../lib/processes';
import { TRUNCATE_WORK_SQL } from '../lib/scratch-database';
import { percentile } from '../lib/stats';

export type IdleLatencyResult = {
  tasks: number;
  /** From a step's last dependency finishing to the step's start, per dependent step (B, C, D, E). */
  dependentStartMs: number[];
  /** From the task's creation to its completion, as the database recorded both. */
  taskLatencyMs: number[];
  /** The task's first step: from the creation to its start (the wake-up of an idle orchestrator). */
  firstStartMs: number[];
  /** A no-op step from its claim to the statement that records it: the orchestrator's own time per step. */
  stepRunMs: number[];
};

/**
 * Creates diamonds one at a time with createTask, as POST /tasks does, on a system that is otherwise
 * idle: each task is awaited (and followed by a short pause) before the next is created. All times are
 * the database's own (step_attempts.started_at/finished_at, tasks.created_at/completed_at), so the
 * poll that notices completion does not count.
 */
export async function measureIdleLatency(
  database: Database,
  { tasks, pauseMs = 20, timeoutMs = 30_000 }: { tasks: number; pauseMs?: number; timeoutMs?: number },
): Promise<IdleLatencyResult> {
  const { db } = database;
  await db.execute(sql.raw(TRUNCATE_WORK_SQL));
  for (let n = 0; n < tasks; n++) {
    const { task } = await createTask(db, { ...DIAMOND, context: { n } });
    await pollUntil(
      async () => {
        const [row] = await queryRows<{ status: string }>(db, sql`select status from tasks where id = ${task.id}`);
        if (row?.status === 'error' || row?.status === 'cancelled') {
          throw new Error(`diamond task ${task.id} ended ${row.status}`);
        }
        return row?.status === 'complete';
      },
      { timeoutMs, intervalMs: 2, what: `diamond task ${task.id} to complete` },
    );
    await sleep(pauseMs);
  }
  const dependents = await queryRows<{ ms: number }>(
    db,
    sql`select extract(epoch from a.started_at - max(p.finished_at)) * 1000 as ms
        from step_attempts a
        join step_dependencies d on d.step_id = a.step_id
        join step_attempts p on p.step_id = d.depends_on_step_id and p.outcome = 'complete'
        where a.number = 1
        group by a.step_id, a.started_at`,
  );
  const taskTimes = await queryRows<{ ms: number; first_ms: number }>(
    db,
    sql`select extract(epoch from t.completed_at - t.created_at) * 1000 as ms,
          extract(epoch from (select min(a.started_at) from step_attempts a where a.task_id = t.id) - t.created_at) * 1000 as first_ms
        from tasks t where t.status = 'complete'`,
  );
  const runs = await queryRows<{ ms: number }>(
    db,
    sql`select extract(epoch from finished_at - started_at) * 1000 as ms from step_attempts where outcome = 'complete'`,
  );
  return {
    tasks,
    stepRunMs: runs.map((row) => Number(row.ms)),
    dependentStartMs: dependents.map((row) => Number(row.ms)),
    taskLatencyMs: taskTimes.map((row) => Number(row.ms)),
    firstStartMs: taskTimes.map((row) => Number(row.first_ms)),
  };
}

export function summarizeLatency(values: readonly number[]) {
  return { p50: percentile(values, 50), p95: percentile(values, 95), max: percentile(values, 100), n: values.length };
}
