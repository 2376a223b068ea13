import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Db } from '../../db/client';
import type { TemplateVersionRow } from '../../db/schema';
import { cpuBetween, sampleCpu, type CpuUse } from '../lib/cpu';
import { countersBetween, readDatabaseCounters, type DatabaseCounters } from '../lib/db-counters';
import { pollUntil, sleep } from '../lib/processes';
import { TRUNCATE_WORK_SQL } from '../lib/scratch-database';
import { releaseHeldSteps, seedPendingTasks } from '../lib/seed-tasks';

export type DrainResult = {
  tasks: number;
  steps: number;
  /** From the first attempt's start to the last attempt's end, as the database recorded them. */
  seconds: number;
  stepsPerSecond: number;
  tasksNotComplete: number;
  failedAttempts: number;
  cpu: CpuUse | undefined;
  counters: DatabaseCounters | undefined;
};

/** Waits until no task of the database is pending or in progress. */
export async function waitUntilDrained(db: Db, { timeoutMs }: { timeoutMs: number }): Promise<void> {
  await pollUntil(
    async () => {
      const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from tasks where status in ('pending', 'in_progress')`);
      return row?.n === 0;
    },
    { timeoutMs, intervalMs: 50, what: 'every task to finish' },
  );
}

/** What step_attempts says about the drain: how many steps ran, and from when to when. */
export async function readDrainWindow(db: Db): Promise<{ steps: number; seconds: number; failedAttempts: number; tasksNotComplete: number }> {
  const [row] = await queryRows<{ steps: number; seconds: number; failed: number; not_complete: number }>(
    db,
    sql`select count(*)::int as steps, extract(epoch from max(finished_at) - min(started_at))::float8 as seconds,
          (count(*) filter (where outcome <> 'complete'))::int as failed,
          (select count(*) from tasks where status <> 'complete')::int as not_complete
        from step_attempts`,
  );
  return { steps: row?.steps ?? 0, seconds: Number(row?.seconds ?? 0), failedAttempts: row?.failed ?? 0, tasksNotComplete: row?.not_complete ?? 0 };
}

/**
 * Empties the tables, creates `tasks` diamonds in one statement with their roots held back, gathers
 * statistics (unless `analyze` is false: then the planner sees the tables as the truncate left them,
 * as on a fresh install hit by a burst), lets `startDrainers` start idle orchestrators, releases every
 * root at one instant and waits until all tasks are complete. CPU is sampled for `drainerPids()` and
 * for PostgreSQL.
 */
export async function drainDiamonds(
  database: Database,
  {
    templateVersion,
    tasks,
    startDrainers,
    drainerPids,
    timeoutMs = 600_000,
    analyze = true,
  }: {
    templateVersion: TemplateVersionRow;
    tasks: number;
    startDrainers: () => Promise<() => Promise<void>>;
    drainerPids: () => number[];
    timeoutMs?: number;
    analyze?: boolean;
  },
): Promise<DrainResult> {
  const { db } = database;
  await db.execute(sql.raw(TRUNCATE_WORK_SQL));
  await seedPendingTasks(db, { templateVersion, count: tasks, holdRoots: true });
  if (analyze) {
    await db.execute(sql`analyze tasks, steps, step_dependencies, step_attempts, transitions`);
  }
  const stopDrainers = await startDrainers();
  let stopped = false;
  try {
    const postgres = database.kind === 'postgres';
    // Backends report their counters when idle, at most once a second: let the seed's arrive first.
    const countersBefore = postgres ? (await sleep(1100), await readDatabaseCounters(db)) : undefined;
    const cpuBefore = sampleCpu(drainerPids());
    await releaseHeldSteps(db);
    await waitUntilDrained(db, { timeoutMs });
    const cpuAfter = sampleCpu(drainerPids());
    // A worker's backends report everything when they close.
    await stopDrainers();
    stopped = true;
    let counters: DatabaseCounters | undefined;
    if (countersBefore) {
      await sleep(1100);
      counters = countersBetween(countersBefore, await readDatabaseCounters(db));
    }
    const window = await readDrainWindow(db);
    return {
      tasks,
      steps: window.steps,
      seconds: window.seconds,
      stepsPerSecond: window.seconds > 0 ? window.steps / window.seconds : 0,
      tasksNotComplete: window.tasksNotComplete,
      failedAttempts: window.failedAttempts,
      cpu: cpuBetween(cpuBefore, cpuAfter),
      counters,
    };
  } finally {
    if (!stopped) {
      await stopDrainers();
    }
  }
}
