import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Db } from '../../db/client';
import type { TemplateVersionRow } from '../../db/schema';
import { releaseHeldSteps, seedPendingTasks } from '../lib/seed-tasks';

/**
 * `count` diamonds finished `days` ago, as a long-running system has them: complete, every step complete
 * with one attempt, the creation transitions. Written set-based, `batchSize` tasks per statement.
 */
export async function seedOldFinishedTasks(
  db: Db,
  {
    templateVersion,
    count,
    days = 40,
    batchSize = 100_000,
    onProgress = () => {},
  }: { templateVersion: TemplateVersionRow; count: number; days?: number; batchSize?: number; onProgress?: (message: string) => void },
): Promise<void> {
  for (let done = 0; done < count; done += batchSize) {
    const size = Math.min(batchSize, count - done);
    const [range] = await queryRows<{ after: string | null }>(db, sql`select max(id)::text as after from tasks`);
    const after = Number(range?.after ?? 0);
    await seedPendingTasks(db, { templateVersion, count: size, contextOf: sql`jsonb_build_object('n', g, 'old', true)` });
    await db.execute(sql`
      with old as (select now() - make_interval(days => ${days}) as at),
      finished_tasks as (
        update tasks set status = 'complete', unfinished_steps = 0, live_steps = 0, created_at = (select at from old) - interval '1 minute',
          updated_at = (select at from old), completed_at = (select at from old)
        where id > ${after} returning id
      ), finished_steps as (
        update steps set status = 'complete', run_at = null, attempts = 1, pending_dependencies = 0, completed_at = (select at from old)
        where task_id in (select id from finished_tasks) returning id, task_id
      )
      insert into step_attempts (step_id, number, task_id, worker_id, started_at, finished_at, outcome, duration_ms)
      select id, 1, task_id, 'seed', (select at from old), (select at from old), 'complete', 1 from finished_steps`);
    onProgress(`seeded ${done + size} of ${count} old finished tasks`);
  }
  await db.execute(sql`vacuum analyze tasks, steps, step_dependencies, step_attempts, transitions`);
}

/**
 * Drains `tasks` new diamonds (their roots held back until the drainers are up) beside whatever the
 * database holds, then removes them again (the old tasks stay for the next run). Steps per second of
 * the new tasks only: their first attempt's start to their last attempt's end.
 */
export async function drainBesideOldTasks(
  database: Database,
  {
    templateVersion,
    tasks,
    startDrainers,
    timeoutMs = 600_000,
  }: { templateVersion: TemplateVersionRow; tasks: number; startDrainers: () => Promise<() => Promise<void>>; timeoutMs?: number },
): Promise<{ steps: number; seconds: number; stepsPerSecond: number }> {
  const { db } = database;
  const [range] = await queryRows<{ after: string | null }>(db, sql`select max(id)::text as after from tasks`);
  const after = Number(range?.after ?? 0);
  await seedPendingTasks(db, { templateVersion, count: tasks, holdRoots: true });
  await db.execute(sql`analyze tasks, steps`);
  const stop = await startDrainers();
  let window: { steps: number; seconds: number } | undefined;
  try {
    await releaseHeldSteps(db);
    await pollNewTasksDone(db, after, timeoutMs);
    [window] = await queryRows<{ steps: number; seconds: number }>(
      db,
      sql`select count(*)::int as steps, coalesce(extract(epoch from max(a.finished_at) - min(a.started_at)), 0)::float8 as seconds
        from step_attempts a join steps s on s.id = a.step_id where s.task_id > ${after}`,
    );
  } finally {
    await stop();
  }
  await db.execute(sql`delete from step_attempts a using steps s where s.id = a.step_id and s.task_id > ${after}`);
  await db.execute(sql`delete from transitions where task_id > ${after}`);
  await db.execute(sql`delete from tasks where id > ${after}`);
  const steps = window?.steps ?? 0;
  const seconds = Number(window?.seconds ?? 0);
  return { steps, seconds, stepsPerSecond: seconds > 0 ? steps / seconds : 0 };
}

async function pollNewTasksDone(db: Db, after: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from tasks where id > ${after} and status in ('pending', 'in_progress')`,
    );
    if (row?.n === 0) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`the new tasks did not finish within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Finished tasks older than 30 days left. */
export async function countOldTasks(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from tasks where status = 'complete' and completed_at < now() - interval '30 days'`,
  );
  return row?.n ?? 0;
}
