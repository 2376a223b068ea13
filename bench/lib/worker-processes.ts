import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client';
import { pollUntil, spawnTsx, type ChildHandle } from './processes';

/** How many orchestrators are LISTENing on this database: each worker holds one such connection. */
export async function countListeningOrchestrators(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen %'`,
  );
  return row?.n ?? 0;
}

/**
 * Starts `count` `npm run worker` processes (scripts/run-worker.ts with the test handlers) and waits
 * until each LISTENs, i.e. is idle in its claim loop, so that work added afterwards reaches all of
 * them at once.
 */
export async function startWorkerProcesses(
  db: Db,
  {
    url,
    count,
    concurrency = 10,
    extraEnv = {},
    alreadyListening = 0,
  }: {
    url: string;
    count: number;
    concurrency?: number;
    extraEnv?: Record<string, string>;
    alreadyListening?: number;
  },
): Promise<ChildHandle[]> {
  const env = {
    DATABASE_URL: url,
    E2E: '1',
    WORKER_CONCURRENCY: String(concurrency),
    LOG_LEVEL: 'warn',
    DEMO_SERVICES: 'off',
    NODE_ENV: 'production',
    ...extraEnv,
  };
  const workers = Array.from({ length: count }, () => spawnTsx('scripts/run-worker.ts', { env }));
  try {
    await pollUntil(
      async () => {
        const dead = workers.find((worker) => worker.child.exitCode !== null);
        if (dead) {
          throw new Error(`a worker exited at start:\n${dead.tail()}`);
        }
        return (await countListeningOrchestrators(db)) >= alreadyListening + count;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${count} workers to listen` },
    );
  } catch (error) {
    await stopWorkerProcesses(workers);
    throw error;
  }
  return workers;
}

export async function stopWorkerProcesses(workers: readonly ChildHandle[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
}
