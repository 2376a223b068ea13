import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../client';

/**
 * A service's limits (SERVICE_<NAME>_RATE_PER_SECOND, SERVICE_<NAME>_MAX_CONCURRENCY); null: none. Every
 * process on the database should be given the same limits, as it is given the same URLs.
 */
export type ServiceLimit = { service: string; ratePerSecond: number | null; maxConcurrency: number | null };

/**
 * The window of a rate limit is this much longer than its second (or the span in which a fractional rate
 * allows one call): a call reaches the service a little after its claim, and differences in that delay of
 * up to 100 ms must not make calls arrive there faster than the limit. (2/s is then at most 2 calls in any
 * 1.1 s: about 1.8 a second under a steady backlog.)
 */
const RATE_WINDOW_ALLOWANCE_SECONDS = 0.1;

/** A rate as `capacity` starts in any `windowSeconds`: 2/s is 2 in 1.1 s; 0.5/s is 1 in 2.1 s; 2.5/s is 3 in 1.3 s. */
function rateWindow(ratePerSecond: number): { capacity: number; windowSeconds: number } {
  const capacity = Math.max(1, Math.ceil(ratePerSecond));
  return { capacity, windowSeconds: capacity / ratePerSecond + RATE_WINDOW_ALLOWANCE_SECONDS };
}

/** An in-flight entry whose step is nowhere to be seen (deleted, or made after the claim's snapshot) lapses after this. */
const UNSEEN_IN_FLIGHT_SECONDS = 60;

/**
 * Writes the limits this process was started with: each limited service gets its usage row (which claims
 * lock) with its limits, and a service no longer limited has them cleared, so that reads without this
 * process's environment (waiting reasons) see what the claims keep. Call before claiming.
 */
export async function writeServiceLimitSettings(dbOrTx: DbOrTx, limits: readonly ServiceLimit[]): Promise<void> {
  const input = JSON.stringify(limits.map((l) => ({ service: l.service, rate_per_second: l.ratePerSecond, max_concurrency: l.maxConcurrency })));
  await queryRows(
    dbOrTx,
    sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as i(service text, rate_per_second float8, max_concurrency int)
    ), cleared as (
      update service_limit_usage set rate_per_second = null, max_concurrency = null, updated_at = now()
      where service not in (select service from input) and (rate_per_second is not null or max_concurrency is not null)
    )
    insert into service_limit_usage as u (service, rate_per_second, max_concurrency)
    select service, rate_per_second, max_concurrency from input
    on conflict (service) do update set rate_per_second = excluded.rate_per_second, max_concurrency = excluded.max_concurrency, updated_at = now()
      where u.rate_per_second is distinct from excluded.rate_per_second or u.max_concurrency is distinct from excluded.max_concurrency`,
  );
}

function limitSettingsJson(limits: readonly ServiceLimit[]): string {
  return JSON.stringify(
    limits.map((limit) => ({
      service: limit.service,
      ...(limit.ratePerSecond === null ? { capacity: null, window_seconds: null } : rateWindowJson(limit.ratePerSecond)),
      max_concurrency: limit.maxConcurrency,
    })),
  );
}

function rateWindowJson(ratePerSecond: number) {
  const { capacity, windowSeconds } = rateWindow(ratePerSecond);
  return { capacity, window_seconds: windowSeconds };
}

/**
 * True for a step (`service`, a column of the query) whose service is not at its concurrency limit, as the
 * claim's snapshot sees it: the claim leaves such steps out of its candidates, so that they do not take
 * the places of other services' steps while they wait for a call to end (keepWithinServiceLimitsSql then
 * decides, under the service's lock).
 */
export function hasConcurrencyRoomSql(limits: readonly ServiceLimit[]): SQL {
  const capped = JSON.stringify(
    limits.filter((limit) => limit.maxConcurrency !== null).map((limit) => ({ service: limit.service, max_concurrency: limit.maxConcurrency })),
  );
  return sql`(service is null or service not in (
      select x.service from jsonb_to_recordset(${capped}::jsonb) as x(service text, max_concurrency int)
      where (select count(*) from steps r where r.status = 'in_progress' and r.service = x.service) >= x.max_concurrency))`;
}

/**
 * The part of a claim statement that keeps it within the services' limits, for every process at once.
 * Given the CTE `candidates(id, status, service, run_at, attempts)` (claimable steps this statement locked),
 * it defines `picked(id, status)`: the candidates that may start now. For each limited service among the
 * candidates it locks the service's usage row (in service order, so two claims never deadlock; a claim of
 * another service does not wait), reads there the starts in the rate's window and the attempts in flight
 * (the row's own, which a claim that committed while this one waited has written too, and the steps this
 * statement sees running), lets as many start as both limits allow, and writes their starts back. A
 * candidate over the rate waits, spending nothing: its run_at moves to when the window has room (the
 * `until` of its wait). One over the concurrency limit stays as it is; the next claim after a call ends
 * takes it.
 */
export function keepWithinServiceLimitsSql(limits: readonly ServiceLimit[]): SQL {
  return sql`limit_settings as (
      select * from jsonb_to_recordset(${limitSettingsJson(limits)}::jsonb) as x(service text, capacity int, window_seconds float8, max_concurrency int)
    ), limit_rows as (
      select u.service, u.recent_starts, u.in_flight from service_limit_usage u
      where u.service in (select service from candidates) and u.service in (select service from limit_settings)
      order by u.service
      for update
    ), limit_clock as materialized (
      -- Read once each row is locked: a claim that waited for another must not date its starts before that one's.
      select r.*, clock_timestamp() as at from limit_rows r
    ), limit_usage as materialized (
      select c.service, c.at, x.capacity, x.window_seconds, x.max_concurrency,
        (select coalesce(array_agg(t order by t), '{}') from unnest(c.recent_starts) t
          where x.capacity is not null and t > c.at - make_interval(secs => x.window_seconds)) as starts,
        (select coalesce(jsonb_agg(e), '[]'::jsonb) from jsonb_array_elements(c.in_flight) e
          where x.max_concurrency is not null
            and not exists (select 1 from steps s where s.id = (e->>0)::bigint
              and (s.attempts > (e->>1)::int or (s.attempts = (e->>1)::int and s.status <> 'in_progress')))
            and (exists (select 1 from steps s where s.id = (e->>0)::bigint)
              or (e->>2)::float8 > extract(epoch from c.at) - ${UNSEEN_IN_FLIGHT_SECONDS})) as in_flight
      from limit_clock c join limit_settings x on x.service = c.service
    ), limit_budget as materialized (
      select u.*,
        case when u.capacity is null then ${Number.MAX_SAFE_INTEGER}::bigint else u.capacity - cardinality(u.starts) end as rate_room,
        case when u.max_concurrency is null then ${Number.MAX_SAFE_INTEGER}::bigint
          else u.max_concurrency - (select count(*) from (
            select (e->>0)::bigint as id from jsonb_array_elements(u.in_flight) e
            union
            select s.id from steps s where s.status = 'in_progress' and s.service = u.service
          ) running) end as concurrency_room
      from limit_usage u
    ), limit_ranked as (
      select c.id, c.status, c.service, c.run_at, c.attempts, row_number() over (partition by c.service order by c.run_at, c.id) as rank,
        b.service as limited_service, greatest(0, least(b.rate_room, b.concurrency_room)) as room, b.rate_room <= b.concurrency_room as rate_binds,
        b.capacity, b.window_seconds, b.max_concurrency, b.at
      from candidates c left join limit_budget b on b.service = c.service
    ), picked as (
      select id, status from limit_ranked
      where (service is null or service not in (select service from limit_settings)) or (limited_service is not null and rank <= room)
    ), limit_taken as (
      select b.service, count(*)::int as n,
        jsonb_agg(jsonb_build_array(r.id, r.attempts + 1, extract(epoch from b.at))) as entries
      from limit_ranked r join limit_budget b on b.service = r.limited_service
      where r.rank <= r.room
      group by b.service
    ), limit_written as (
      update service_limit_usage u set
        recent_starts = case when b.capacity is null then '{}' else b.starts || array_fill(b.at, array[t.n]) end,
        in_flight = case when b.max_concurrency is null then '[]'::jsonb else b.in_flight || t.entries end,
        updated_at = b.at
      from limit_budget b join limit_taken t on t.service = b.service
      where u.service = b.service
      returning u.service
    ), limit_deferred as (
      -- The j-th candidate over the rate may start once j starts have left the window (the window being
      -- full now: the kept starts and this claim's, oldest first).
      -- Its stuck clock keeps counting from when it first became due (steps.waiting_since), as a claim would.
      update steps s set waiting_since = coalesce(s.waiting_since, least(s.run_at, now())),
        run_at = w.starts_now[((r.rank - r.room - 1) % r.capacity) + 1]
          + make_interval(secs => r.window_seconds * (1 + (r.rank - r.room - 1) / r.capacity))
      from limit_ranked r
        join (select b.service, b.starts || array_fill(b.at, array[coalesce(t.n, 0)]) as starts_now
              from limit_budget b left join limit_taken t on t.service = b.service) w on w.service = r.limited_service
      where s.id = r.id and r.rank > r.room and r.rate_binds and r.capacity is not null
        and cardinality(w.starts_now) >= r.capacity
      returning s.id
    )`;
}

export type ServiceLimitState = ServiceLimit & {
  /** Calls started in the last second, by any process. */
  startsLastSecond: number;
};

/** Every service with limits, as the claiming processes were started with them, and the calls started in the last second. */
export async function findServiceLimits(dbOrTx: DbOrTx): Promise<ServiceLimitState[]> {
  const rows = await queryRows<{ service: string; rate_per_second: number | null; max_concurrency: number | null; starts_last_second: number }>(
    dbOrTx,
    sql`select u.service, u.rate_per_second, u.max_concurrency,
          (select count(*) from unnest(u.recent_starts) t where t > clock_timestamp() - interval '1 second')::int as starts_last_second
        from service_limit_usage u
        where u.rate_per_second is not null or u.max_concurrency is not null
        order by u.service`,
  );
  return rows.map((row) => ({
    service: row.service,
    ratePerSecond: row.rate_per_second === null ? null : Number(row.rate_per_second),
    maxConcurrency: row.max_concurrency,
    startsLastSecond: Number(row.starts_last_second),
  }));
}
