import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { steps } from '../../db/schema';
import { toSqlList } from '../../db/to-sql-list';
import { SERVICE_WAIT_KINDS, type ServiceWaitKind } from '../waiting-reasons';
import { isoTimeSql } from './task-filter-sql';
import { isServiceWaitSql, mayWaitOnServiceSql, waitingReasonSql, waitingSinceSql } from './waiting-reason-sql';

export type StuckSteps = {
  /** Steps waiting (to retry, or on their service) for longer than STUCK_AFTER_SECONDS, and their tasks. */
  stuckSteps: number;
  stuckTasks: number;
  /** Steps waiting on their service (circuit open, held, rate limited) however long, and their tasks. */
  serviceWaitSteps: number;
  serviceWaitTasks: number;
  serviceWaitsByKind: Record<ServiceWaitKind, number>;
  /** The oldest task (lowest id) with a stuck step: that step, and since when it waits. */
  oldestTask: { taskId: number; step: string; since: string } | null;
};

/**
 * The one rule of "stuck" (STUCK_AFTER_SECONDS), for the overview and /metrics as for Failures: a step
 * is stuck once it has waited to retry, or on its service, for longer than `stuckAfterSeconds` by its
 * clock (waitingSinceSql: circuit probes and rounds do not reset it). A ready step waiting only for a
 * free worker is not stuck. Reads the steps waiting to retry and those of services that hold steps
 * back, from the partial index steps_claimable_run_at.
 */
export async function readStuckSteps(
  db: DbOrTx,
  { stuckAfterSeconds, now = new Date() }: { stuckAfterSeconds: number; now?: Date },
): Promise<StuckSteps> {
  const stuckBefore = new Date(now.getTime() - stuckAfterSeconds * 1000).toISOString();
  const [row] = await queryRows<{
    stuck_steps: number;
    stuck_tasks: number;
    service_wait_steps: number;
    service_wait_tasks: number;
    by_kind: Record<string, number> | null;
    oldest_task_id: string | number | null;
    oldest_step: string | null;
    oldest_since: string | null;
  }>(
    db,
    sql`with waiting as materialized (
          select w.task_id, w.name, w.since, w.reason, w.since < ${stuckBefore}::timestamptz and (w.status = 'waiting_retry' or ${isServiceWaitSql(sql`w.reason`)}) as stuck
          from (
            select s.task_id, s.name, s.status, ${waitingSinceSql('s')} as since, ${waitingReasonSql('s')} as reason from ${steps} s
            where s.status in (${toSqlList(['ready', 'waiting_retry'])}) and (s.status = 'waiting_retry' or ${mayWaitOnServiceSql('s')})
          ) w
        ), oldest as (
          select task_id, name, since from waiting where stuck order by task_id, since limit 1
        )
        select count(*) filter (where stuck)::int as stuck_steps, count(distinct task_id) filter (where stuck)::int as stuck_tasks,
          count(*) filter (where ${isServiceWaitSql(sql`reason`)})::int as service_wait_steps,
          count(distinct task_id) filter (where ${isServiceWaitSql(sql`reason`)})::int as service_wait_tasks,
          (select jsonb_object_agg(kind, n) from (select reason->>'kind' as kind, count(*)::int as n from waiting
             where ${isServiceWaitSql(sql`reason`)} group by 1) k) as by_kind,
          (select task_id from oldest) as oldest_task_id, (select name from oldest) as oldest_step,
          (select ${isoTimeSql(sql`since`)} from oldest) as oldest_since
        from waiting`,
  );
  const byKind = Object.fromEntries(SERVICE_WAIT_KINDS.map((kind) => [kind, row?.by_kind?.[kind] ?? 0])) as Record<ServiceWaitKind, number>;
  return {
    stuckSteps: row?.stuck_steps ?? 0,
    stuckTasks: row?.stuck_tasks ?? 0,
    serviceWaitSteps: row?.service_wait_steps ?? 0,
    serviceWaitTasks: row?.service_wait_tasks ?? 0,
    serviceWaitsByKind: byKind,
    oldestTask:
      row?.oldest_task_id === null || row?.oldest_task_id === undefined || row.oldest_step === null || row.oldest_since === null
        ? null
        : { taskId: Number(row.oldest_task_id), step: row.oldest_step, since: row.oldest_since },
  };
}
