import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { toSqlList } from '../../db/to-sql-list';
import type { WaitingReason } from '../api/types';
import { CLAIMABLE_STEP_STATUSES } from '../statuses';
import { SERVICE_WAIT_KINDS } from '../waiting-reasons';
import { isoTimeSql } from './task-filter-sql';

/**
 * Why a step that is not running waits, and since when: the one definition, read by the task detail
 * (GET /tasks/{id}), the task list, Failures (GET /failures), the overview and /metrics.
 *
 * - `dependencies`: pending, until the steps it depends on are done;
 * - `held`: its service is held by an operator (service_holds), until released;
 * - `circuit_open`: its service's circuit is open or half-open; `until` is the next probe call;
 * - `rate_limited`: the service answered "too many requests" (steps.rate_limited_since); `until` is the
 *   next attempt; or the service's own limits keep a ready step waiting (service_limit_usage): `until`
 *   is when the rate's window has room, none while it waits for a call to end (max concurrency);
 * - `backoff`: waiting to retry (or a spread-out start), `until` its next attempt.
 * A ready step due now (the next free worker takes it), a running one and a finished one have none.
 * The kinds are listed in lib/waiting-reasons.ts.
 */

/**
 * The stuck clock of a waiting step, as SQL over the steps row `step` (an alias): since when this round
 * of it has been due (steps.waiting_since, kept across probes and circuit rounds), or, for a ready step
 * never claimed, since it became ready.
 */
export function waitingSinceSql(step: string): SQL {
  return sql.raw(`coalesce(${step}.waiting_since, ${step}.run_at)`);
}

/**
 * The waiting reason of the steps row `step` (an alias) as jsonb `{kind, service?, until?, since?}`
 * (null when it does not wait), in the order that decides: a hold before a circuit before a rate limit
 * before the step's own backoff.
 */
export function waitingReasonSql(step: string): SQL {
  const s = sql.raw(step);
  const since = isoTimeSql(waitingSinceSql(step));
  return sql`(select jsonb_strip_nulls(case
      when ${s}.status = 'pending' then jsonb_build_object('kind', 'dependencies')
      when ${s}.status not in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) then null
      when held.service is not null then jsonb_build_object('kind', 'held', 'service', ${s}.service, 'since', ${since})
      when circuit.service is not null
        then jsonb_build_object('kind', 'circuit_open', 'service', ${s}.service, 'until', ${isoTimeSql(sql`circuit.open_until`)}, 'since', ${since})
      when ${s}.rate_limited_since is not null
        then jsonb_build_object('kind', 'rate_limited', 'service', ${s}.service, 'until', ${isoTimeSql(sql`${s}.run_at`)}, 'since', ${since})
      -- The service's own limits (SERVICE_<NAME>_RATE_PER_SECOND, _MAX_CONCURRENCY, as service_limit_usage
      -- holds them): a ready step the claim put off until the rate's window has room (run_at ahead), or one
      -- waiting while the service has as many calls running as it may.
      when ${s}.status = 'ready' and limited.service is not null and (${s}.run_at > now()
          or (select count(*) from steps r where r.status = 'in_progress' and r.service = ${s}.service) >= limited.max_concurrency)
        then jsonb_build_object('kind', 'rate_limited', 'service', ${s}.service,
          'until', case when ${s}.run_at > now() then ${isoTimeSql(sql`${s}.run_at`)} end, 'since', ${since})
      when ${s}.status = 'waiting_retry' or ${s}.run_at > now()
        then jsonb_build_object('kind', 'backoff', 'until', ${isoTimeSql(sql`${s}.run_at`)}, 'since', ${since})
    end)
    from (select 1) one
    left join service_holds held on held.service = ${s}.service
    left join service_circuits circuit on circuit.service = ${s}.service and circuit.state <> 'closed'
    left join service_limit_usage limited on limited.service = ${s}.service and (limited.rate_per_second is not null or limited.max_concurrency is not null))`;
}

/**
 * A cheap condition on the steps row `step` that every step waiting on a service (SERVICE_WAIT_KINDS)
 * meets, and few others: what to read before computing reasons.
 */
export function mayWaitOnServiceSql(step: string): SQL {
  const s = sql.raw(step);
  return sql`${s}.status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) and ${s}.service is not null
    and (${s}.rate_limited_since is not null
      or ${s}.service in (select service from service_circuits where state <> 'closed' union all select service from service_holds
        union all select service from service_limit_usage where rate_per_second is not null or max_concurrency is not null))`;
}

/** Whether the reason (jsonb, from waitingReasonSql) is a wait on a service. */
export function isServiceWaitSql(reason: SQL): SQL {
  return sql`(${reason})->>'kind' in (${toSqlList(SERVICE_WAIT_KINDS)})`;
}

/** The waiting reason of every step that waits of these tasks (or this one), by step id (GET /tasks/{id}). */
export async function findWaitingReasons(dbOrTx: DbOrTx, taskIds: number | readonly number[]): Promise<Map<number, WaitingReason>> {
  const ids = typeof taskIds === 'number' ? [taskIds] : taskIds;
  if (ids.length === 0) {
    return new Map();
  }
  const rows = await queryRows<{ id: string | number; reason: WaitingReason | null }>(
    dbOrTx,
    sql`select s.id, ${waitingReasonSql('s')} as reason from steps s
        where s.task_id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )}) and s.status in ('pending', ${toSqlList(CLAIMABLE_STEP_STATUSES)})`,
  );
  return new Map(rows.filter((row) => row.reason !== null).map((row) => [Number(row.id), row.reason as WaitingReason]));
}
