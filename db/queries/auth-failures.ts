import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../client';

/** How failures are counted, forgotten and turned into waits (the limiter's settings, in ms). */
export type AuthFailureRules = {
  /** Failures an address may make before it has to wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** An address's failures are forgotten this long after its last one. */
  forgetAfterMs: number;
  /** Failures from every address together: a burst of this many, then `globalFailuresPerMinute`. */
  globalBurst: number;
  globalFailuresPerMinute: number;
};

export type AuthFailureState = {
  /** Failures of the address still remembered (by every process). */
  failures: number;
  /** How long the address must still wait; 0 when it may try. */
  blockedForMs: number;
  /** Failures every address together may still make now (the bucket, refilled to this moment). */
  globalAllowance: number;
};

const millisecondsSql = (ms: number) => sql`(${ms}::float8 * interval '1 millisecond')`;

/** The allowance over every address, refilled from `refilled_at` to now (of the row aliased `a`). */
function refilledAllowanceSql(rules: AuthFailureRules) {
  return sql`least(${rules.globalBurst}::float8, a.allowance + extract(epoch from now() - a.refilled_at) * ${rules.globalFailuresPerMinute / 60}::float8)`;
}

/** What the database remembers of `address`'s failures and of the ceiling over every address. Reads only. */
export async function readAuthFailureState(dbOrTx: DbOrTx, address: string, rules: AuthFailureRules): Promise<AuthFailureState> {
  const [row] = await queryRows<{ failures: number; blocked_for_ms: number; global_allowance: number }>(
    dbOrTx,
    sql`
    select
      coalesce((select f.failures from auth_failures f
                where f.address = ${address} and f.last_failure_at > now() - ${millisecondsSql(rules.forgetAfterMs)}), 0)::int as failures,
      coalesce((select extract(epoch from f.blocked_until - now()) * 1000 from auth_failures f
                where f.address = ${address} and f.blocked_until > now()), 0)::float8 as blocked_for_ms,
      coalesce((select ${refilledAllowanceSql(rules)} from auth_failure_allowance a where a.id = 1), ${rules.globalBurst}::float8)::float8
        as global_allowance`,
  );
  return {
    failures: Number(row?.failures ?? 0),
    blockedForMs: Number(row?.blocked_for_ms ?? 0),
    globalAllowance: Number(row?.global_allowance ?? rules.globalBurst),
  };
}

/**
 * Counts one failure of `address` and spends one of the allowance over every address, in one
 * statement (each row is updated under its lock, so failures from several processes add up): after
 * `freeFailures` the address is blocked for `baseDelayMs`, doubling with each further failure up to
 * `maxDelayMs`; a count whose last failure is older than `forgetAfterMs` starts again from one. A few
 * forgotten addresses are deleted on the way. Returns the address's count.
 */
export async function recordAuthFailure(dbOrTx: DbOrTx, address: string, rules: AuthFailureRules): Promise<number> {
  const forgotten = sql`now() - ${millisecondsSql(rules.forgetAfterMs)}`;
  const counted = sql`(case when f.last_failure_at <= ${forgotten} then 1 else f.failures + 1 end)`;
  const blockedUntil = (failures: SQL) =>
    sql`(case when ${failures} >= ${rules.freeFailures}
          then now() + least(${rules.maxDelayMs}::float8, ${rules.baseDelayMs}::float8 * power(2, ${failures} - ${rules.freeFailures})) * interval '1 millisecond'
          end)`;
  const [row] = await queryRows<{ failures: number }>(
    dbOrTx,
    sql`
    with counted as (
      insert into auth_failures as f (address, failures, last_failure_at, blocked_until)
      values (${address}, 1, now(), ${blockedUntil(sql`1`)})
      on conflict (address) do update set
        failures = ${counted},
        last_failure_at = now(),
        blocked_until = ${blockedUntil(counted)}
      returning f.failures
    ), spent as (
      insert into auth_failure_allowance as a (id, allowance, refilled_at)
      values (1, ${rules.globalBurst - 1}::float8, now())
      on conflict (id) do update set allowance = ${refilledAllowanceSql(rules)} - 1, refilled_at = now()
      returning a.allowance
    ), pruned as (
      delete from auth_failures where address in (
        select old.address from auth_failures old
        where old.last_failure_at <= ${forgotten} and old.address <> ${address}
        limit 100)
    )
    select counted.failures from counted, spent`,
  );
  return Number(row?.failures ?? 0);
}
