import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { cpuBetween, sampleCpu, type CpuUse } from '../lib/cpu';
import { countersBetween, readDatabaseCounters, type DatabaseCounters } from '../lib/db-counters';
import { pollUntil, sleep, spawnTsx, type ChildHandle } from '../lib/processes';

export type PeerDrainResult = {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  cpu: CpuUse;
  counters: DatabaseCounters | undefined;
};

type PeerEvent = { event: 'ready' } | { event: 'done'; first_start: number; last_complete: number; completed: number };

/**
 * Drains `jobs` no-op jobs with one graphile-worker process (bench/graphile-worker-drain.ts) on the
 * same database: the worker is started and LISTENing first, then every job is added in one statement
 * (`add_jobs`), as our diamonds are released in one statement. The time runs from the first job's
 * start to the last job's completion as the worker saw them; the database must be empty afterwards.
 */
export async function drainGraphileJobs(
  database: Database,
  {
    url,
    jobs,
    concurrency,
    mode,
    timeoutMs = 600_000,
  }: { url: string; jobs: number; concurrency: number; mode: 'default' | 'batched'; timeoutMs?: number },
): Promise<PeerDrainResult> {
  const { db } = database;
  const events: PeerEvent[] = [];
  const child: ChildHandle = spawnTsx('bench/graphile-worker-drain.ts', {
    env: { NODE_ENV: 'production' },
    args: [url, String(concurrency), mode, String(jobs)],
    onLine: (line) => {
      if (line.startsWith('{')) {
        events.push(JSON.parse(line) as PeerEvent);
      }
    },
  });
  try {
    const waitForEvent = <K extends PeerEvent['event']>(name: K, ms: number) =>
      pollUntil(
        async () => {
          if (child.child.exitCode !== null) {
            throw new Error(`graphile-worker exited early:\n${child.tail()}`);
          }
          return events.find((event): event is Extract<PeerEvent, { event: K }> => event.event === name);
        },
        { timeoutMs: ms, intervalMs: 20, what: `graphile-worker to report ${name}` },
      );
    await waitForEvent('ready', 60_000);
    await sleep(1100);
    const countersBefore = await readDatabaseCounters(db);
    const cpuBefore = sampleCpu([child.pid]);
    await db.execute(sql`
      select count(*) from graphile_worker.add_jobs(array(
        select row('noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec from generate_series(1, ${jobs})))`);
    const done = await waitForEvent('done', timeoutMs);
    await pollUntil(
      async () => {
        const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from graphile_worker._private_jobs`);
        return row?.n === 0;
      },
      { timeoutMs: 30_000, intervalMs: 20, what: 'graphile-worker to delete its completed jobs' },
    );
    const cpuAfter = sampleCpu([child.pid]);
    // Its backends report their counters when they close.
    await child.stop('SIGTERM');
    await sleep(1100);
    const counters = countersBetween(countersBefore, await readDatabaseCounters(db));
    const seconds = (done.last_complete - done.first_start) / 1000;
    return { jobs, seconds, jobsPerSecond: seconds > 0 ? jobs / seconds : 0, cpu: cpuBetween(cpuBefore, cpuAfter), counters };
  } finally {
    await child.stop('SIGTERM');
  }
}
