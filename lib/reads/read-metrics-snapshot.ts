import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { findServiceHolds } from '../../db/queries/service-holds';
import { findServiceLimits, type ServiceLimitState } from '../../db/queries/service-limits';
import { toSqlList } from '../../db/to-sql-list';
import { DEFAULT_STUCK_AFTER_SECONDS } from '../env';
import { CLAIMABLE_STEP_STATUSES, isTaskFinished } from '../statuses';
import { shareRead } from './share-read';
import { readStuckSteps, type StuckSteps } from './stuck-steps';

export type MetricsSnapshot = {
  tasks: { namespace: string; name: string; status: string; count: number }[];
  steps: { status: string; count: number }[];
  /** Seconds the longest-waiting claimable step has waited past its run_at; null when none waits. */
  oldestReadyAgeSeconds: number | null;
  circuits: { service: string; state: string; consecutive_failures: number }[];
  /** Services an operator holds. */
  heldServices: string[];
  /** Services with rate or concurrency limits, and their calls started in the last second. */
  serviceLimits: ServiceLimitState[];
  /** Calls running now per service (steps in progress). */
  callsInFlight: { service: string; count: number }[];
  /** Stuck steps and steps waiting on their service, by the one rule (readStuckSteps). */
  stuck: StuckSteps;
};

/** What the gauges of GET /metrics show, read at scrape time. */
async function readMetricsSnapshot(db: DbOrTx, stuckAfterSeconds: number): Promise<MetricsSnapshot> {
  const tasks = await queryRows<{ namespace: string; name: string; status: string; count: number }>(
    db,
    sql`select namespace, name, status, count(*)::int as count from tasks group by namespace, name, status`,
  );
  // Both queries stay on the partial index steps_claimable_run_at (status in ready, waiting_retry).
  const steps = await queryRows<{ status: string; count: number }>(
    db,
    sql`select status, count(*)::int as count from steps where status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) group by status
        union all
        select 'in_progress', count(*)::int from steps where status = 'in_progress'`,
  );
  const [oldest] = await queryRows<{ age: number | string | null }>(
    db,
    sql`select extract(epoch from now() - min(run_at))::float8 as age from steps where status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) and run_at <= now()`,
  );
  const circuits = await queryRows<{ service: string; state: string; consecutive_failures: number }>(
    db,
    sql`select service, state, consecutive_failures from service_circuits order by service`,
  );
  const callsInFlight = await queryRows<{ service: string; count: number }>(
    db,
    sql`select service, count(*)::int as count from steps where status = 'in_progress' and service is not null group by service`,
  );
  return {
    heldServices: (await findServiceHolds(db)).map((hold) => hold.service),
    serviceLimits: await findServiceLimits(db),
    callsInFlight: callsInFlight.map((row) => ({ service: row.service, count: Number(row.count) })),
    tasks: tasks.map((row) => ({ ...row, count: Number(row.count) })),
    steps: steps.map((row) => ({ ...row, count: Number(row.count) })),
    oldestReadyAgeSeconds: oldest?.age === null || oldest?.age === undefined ? null : Number(oldest.age),
    circuits,
    stuck: await readStuckSteps(db, { stuckAfterSeconds }),
  };
}

/** How old shared figures may be: see readSharedMetricsSnapshot. */
export const SHARED_SNAPSHOT_MAX_AGE_MS = 4000;

/**
 * The metrics snapshot, read at most every `maxAgeMs` per database and shared by every caller in
 * between (shareRead): the scrapes of GET /metrics and every open overview's GET /overview. Counting
 * tasks by template and status reads the whole tasks table, ≈ 240 ms at a million tasks.
 */
export async function readSharedMetricsSnapshot(
  db: DbOrTx,
  { maxAgeMs = SHARED_SNAPSHOT_MAX_AGE_MS, stuckAfterSeconds = DEFAULT_STUCK_AFTER_SECONDS }: { maxAgeMs?: number; stuckAfterSeconds?: number } = {},
): Promise<{ snapshot: MetricsSnapshot; readAt: Date }> {
  const { value, readAt } = await shareRead(`metrics-snapshot-${stuckAfterSeconds}`, db, maxAgeMs, () => readMetricsSnapshot(db, stuckAfterSeconds));
  return { snapshot: value, readAt };
}

export type TransitionEvent =
  | { kind: 'task_created'; namespace: string; name: string }
  | { kind: 'task_finished'; namespace: string; name: string; status: string }
  | { kind: 'attempt_finished'; namespace: string; name: string; step: string; outcome: string; durationMs: number | null };

/**
 * What happened since `afterId` in the append-only transitions table: tasks created, tasks finished
 * (complete, error, cancelled, resolved_manually) and attempts finished (with their outcome and
 * duration). Only rows older than `lagSeconds` are read: ids are taken at insert but become visible at
 * commit, so a young row may still have an older neighbour on its way.
 */
export async function readTransitionEvents(
  db: DbOrTx,
  { afterId, lagSeconds, maxRows }: { afterId: number; lagSeconds: number; maxRows: number },
): Promise<{ lastId: number; events: TransitionEvent[] }> {
  const rows = await queryRows<{
    id: string | number;
    step_id: string | number | null;
    from_status: string | null;
    to_status: string;
    namespace: string;
    name: string;
    step: string | null;
    outcome: string | null;
    duration_ms: number | null;
  }>(
    db,
    sql`select tr.id, tr.step_id, tr.from_status, tr.to_status, t.namespace, t.name, s.name as step, a.outcome, a.duration_ms
        from transitions tr
        join tasks t on t.id = tr.task_id
        left join steps s on s.id = tr.step_id
        left join step_attempts a on a.step_id = tr.step_id and a.number = tr.attempt and tr.from_status = 'in_progress'
        where tr.id > ${afterId} and tr.created_at < now() - make_interval(secs => ${lagSeconds})
        order by tr.id
        limit ${maxRows}`,
  );
  const events: TransitionEvent[] = [];
  let lastId = afterId;
  for (const row of rows) {
    lastId = Math.max(lastId, Number(row.id));
    if (row.step_id === null) {
      if (row.from_status === null) {
        events.push({ kind: 'task_created', namespace: row.namespace, name: row.name });
      } else if ((isTaskFinished(row.to_status) || row.to_status === 'error') && row.from_status !== row.to_status) {
        // Finished for good, or stopped in error.
        events.push({ kind: 'task_finished', namespace: row.namespace, name: row.name, status: row.to_status });
      }
    } else if (row.from_status === 'in_progress' && row.outcome !== null && row.outcome !== 'running' && row.step !== null) {
      events.push({
        kind: 'attempt_finished',
        namespace: row.namespace,
        name: row.name,
        step: row.step,
        outcome: row.outcome,
        durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
      });
    }
  }
  return { lastId, events };
}

/** The newest transition id (from the primary key, so cheap on any table size): where counting starts. */
export async function readTransitionWatermark(db: DbOrTx): Promise<number> {
  const [row] = await queryRows<{ id: string | number | null }>(db, sql`select max(id) as id from transitions`);
  return row?.id === null || row?.id === undefined ? 0 : Number(row.id);
}
