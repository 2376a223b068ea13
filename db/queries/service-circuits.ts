import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../client';
import { serviceCircuits } from '../schema';
import { CLAIMABLE_STEP_STATUSES } from '../statuses';
import { toSqlList } from '../to-sql-list';

export type CircuitSettings = { failureThreshold: number; cooldownSeconds: number };
export type CircuitChange = { service: string; state: string; previousState: string | null };

type ChangeRow = { service: string; state: string; previous_state: string | null };

/**
 * Counts retryable failures of calls to each service. A closed circuit opens when its run of
 * consecutive failures reaches the threshold; a half-open one (its probe failed) opens again.
 * Returns every circuit touched with its state after, so the caller knows which steps not to charge.
 */
export async function recordServiceFailures(
  dbOrTx: DbOrTx,
  failures: { service: string; count: number; lastError: string }[],
  { failureThreshold, cooldownSeconds }: CircuitSettings,
): Promise<CircuitChange[]> {
  if (failures.length === 0) {
    return [];
  }
  const input = JSON.stringify(failures.map((f) => ({ service: f.service, failures: f.count, last_error: [...f.lastError].slice(0, 500).join('') })));
  const rows = await queryRows<ChangeRow>(
    dbOrTx,
    sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as i(service text, failures int, last_error text)
    ), upserted as (
      insert into service_circuits as c (service, state, consecutive_failures, opened_at, open_until, last_failure_at, last_error)
      select service, case when failures >= ${failureThreshold} then 'open' else 'closed' end, failures,
        case when failures >= ${failureThreshold} then now() end,
        case when failures >= ${failureThreshold} then now() + make_interval(secs => ${cooldownSeconds}) end,
        now(), last_error
      from input
      on conflict (service) do update set
        consecutive_failures = c.consecutive_failures + excluded.consecutive_failures,
        state = case
          when c.state = 'half_open' then 'open'
          when c.state = 'closed' and c.consecutive_failures + excluded.consecutive_failures >= ${failureThreshold} then 'open'
          else c.state end,
        -- Since when the service has been out: a failed probe (half_open → open) keeps the outage's start.
        opened_at = case
          when c.state = 'closed' and c.consecutive_failures + excluded.consecutive_failures >= ${failureThreshold}
          then now() else c.opened_at end,
        open_until = case
          when c.state = 'half_open' or (c.state = 'closed' and c.consecutive_failures + excluded.consecutive_failures >= ${failureThreshold})
          then now() + make_interval(secs => ${cooldownSeconds}) else c.open_until end,
        last_failure_at = now(), last_error = excluded.last_error, updated_at = now()
      returning c.service, c.state, (select previous.state from service_circuits previous where previous.service = c.service) as previous_state
    ), events as (
      insert into service_circuit_events (service, from_state, to_state, reason)
      select service, previous_state, state,
        case when previous_state = 'half_open' then 'the probe call failed' else 'too many failed calls in a row' end
      from upserted where state = 'open' and previous_state is distinct from 'open'
    )
    select service, state, previous_state from upserted`,
  );
  return rows.map((row) => ({ service: row.service, state: row.state, previousState: row.previous_state }));
}

/**
 * A successful call closes its service's circuit and clears the failure run. Steps that waited on a
 * circuit that closes are released spread out (`spreadMs` apart), not as a herd.
 */
export async function recordServiceSuccesses(
  dbOrTx: DbOrTx,
  services: string[],
  { spreadMs, reason = 'a call succeeded' }: { spreadMs: number; reason?: string },
): Promise<CircuitChange[]> {
  if (services.length === 0) {
    return [];
  }
  const rows = await queryRows<ChangeRow>(
    dbOrTx,
    sql`
    with closed as (
      update service_circuits c set state = 'closed', consecutive_failures = 0, open_until = null, updated_at = now()
      where c.service in (select jsonb_array_elements_text(${JSON.stringify(services)}::jsonb))
        and (c.state <> 'closed' or c.consecutive_failures > 0)
      returning c.service, c.state, (select previous.state from service_circuits previous where previous.service = c.service) as previous_state
    ), events as (
      insert into service_circuit_events (service, from_state, to_state, reason)
      select service, previous_state, 'closed', ${reason} from closed where previous_state <> 'closed'
    ), ${releaseWaitingStepsSql(sql`(select service from closed where previous_state <> 'closed')`, spreadMs)}
    select service, state, previous_state, (select count(*) from wake) as woken from closed`,
  );
  return rows.map((row) => ({ service: row.service, state: row.state, previousState: row.previous_state }));
}

/**
 * The CTEs `waiting`, `released` and `wake` that release the steps waiting on the services `services` (a
 * subquery) spread out (`spreadMs` apart), not as a herd, and wake the orchestrators.
 */
function releaseWaitingStepsSql(services: SQL, spreadMs: number): SQL {
  return sql`waiting as (
      select s.id, row_number() over (order by s.run_at, s.id) - 1 as position from steps s
      where s.status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) and s.service in ${services}
    ), released as (
      update steps s set run_at = now() + make_interval(secs => waiting.position::float8 * ${spreadMs / 1000}::float8), updated_at = now()
      from waiting where s.id = waiting.id
      returning s.id
    ), wake as (
      select pg_notify('switchyard_steps_ready', '') from (select 1 from released limit 1) any_released
    )`;
}

/**
 * Moves circuits whose cool-down is over from open to half_open, and returns the services this
 * caller moved: it alone sends the one probe call. A half-open circuit always has a next probe time
 * (`open_until`): the probe's answer closes or reopens it before then, and a probe that never reported
 * back by then (its worker died) opens it again, due now, so that another probe goes. The circuit of a
 * held service stays open while it is held (no probe could be sent: held steps are never claimed);
 * after the release, the next check promotes it and sends its probe.
 */
export async function promoteCircuitsToHalfOpen(dbOrTx: DbOrTx, { staleProbeSeconds }: { staleProbeSeconds: number }): Promise<string[]> {
  const rows = await queryRows<{ service: string }>(
    dbOrTx,
    sql`
    with reopened as (
      update service_circuits set state = 'open', open_until = now(), updated_at = now()
      where state = 'half_open' and coalesce(open_until, updated_at + make_interval(secs => ${staleProbeSeconds})) <= now()
      returning service
    ), promoted as (
      update service_circuits set state = 'half_open', open_until = now() + make_interval(secs => ${staleProbeSeconds}), updated_at = now()
      where state = 'open' and open_until <= now() and service not in (select service from reopened)
        and service not in (select h.service from service_holds h)
      returning service
    ), events as (
      insert into service_circuit_events (service, from_state, to_state, reason)
      select service, 'open', 'half_open', 'cool-down over: one probe call may go' from promoted
      union all
      select service, 'half_open', 'open', 'the probe call never reported back; another goes now' from reopened
    )
    select service from promoted`,
  );
  return rows.map((row) => row.service);
}

/** Puts a half-open circuit back to open, due now, when this process had no free slot for its probe. */
export async function reopenUnprobedCircuit(dbOrTx: DbOrTx, service: string): Promise<void> {
  await queryRows(
    dbOrTx,
    sql`
    with reopened as (
      update service_circuits set state = 'open', open_until = now(), updated_at = now()
      where service = ${service} and state = 'half_open'
      returning service
    )
    insert into service_circuit_events (service, from_state, to_state, reason)
    select service, 'half_open', 'open', 'no free slot to send the probe from; the next check tries again' from reopened`,
  );
}

/**
 * Closes a half-open circuit that has no step waiting to probe it: the next real call will tell. A
 * service held since it was promoted has its steps waiting, unclaimable: its circuit goes back to open,
 * due now, and is probed after the release.
 */
export async function closeUnprobedCircuit(dbOrTx: DbOrTx, service: string): Promise<void> {
  await queryRows(
    dbOrTx,
    sql`
    with held as (
      select h.service from service_holds h where h.service = ${service}
    ), reopened as (
      update service_circuits set state = 'open', open_until = now(), updated_at = now()
      where service = ${service} and state = 'half_open' and service in (select service from held)
      returning service
    ), closed as (
      update service_circuits set state = 'closed', consecutive_failures = 0, open_until = null, updated_at = now()
      where service = ${service} and state = 'half_open' and service not in (select service from held)
      returning service
    )
    insert into service_circuit_events (service, from_state, to_state, reason)
    select service, 'half_open', 'closed', 'no step was waiting to probe it' from closed
    union all
    select service, 'half_open', 'open', 'the service is held: its probe goes after the release' from reopened`,
  );
}

export async function findServiceCircuits(dbOrTx: DbOrTx) {
  return dbOrTx.select().from(serviceCircuits).orderBy(serviceCircuits.service);
}

export type CircuitAction = 'probe' | 'close' | 'open';

/** What an operator's circuit action did: the state before and after. */
export type OperatorCircuitChange = { service: string; fromState: string; toState: string };

/**
 * An operator's circuit action, audited in service_circuit_events with the actor and reason; run it in
 * the transaction that locked the circuit (lockServiceCircuit). `probe`: an open (or hung half-open)
 * circuit is due now, so the next check sends its probe call; `close`: the circuit closes and the steps
 * waiting on it start, spread out; `open`: no step of the service is started until a probe call
 * succeeds after `cooldownSeconds`.
 */
export async function changeCircuitByOperator(
  tx: DbOrTx,
  {
    service,
    action,
    fromState,
    actor,
    reason,
    cooldownSeconds,
    spreadMs,
  }: {
    service: string;
    action: CircuitAction;
    fromState: string;
    actor: string;
    reason: string;
    cooldownSeconds: number;
    spreadMs: number;
  },
): Promise<OperatorCircuitChange> {
  const toState = action === 'close' ? 'closed' : 'open';
  const what = { probe: 'probe now', close: 'circuit closed', open: 'circuit opened' }[action];
  if (action === 'close') {
    await queryRows(
      tx,
      sql`with closed as (
            update service_circuits set state = 'closed', consecutive_failures = 0, open_until = null, updated_at = now()
            where service = ${service} returning service
          ), ${releaseWaitingStepsSql(sql`(select service from closed)`, spreadMs)}
          select (select count(*) from wake) as woken`,
    );
  } else {
    // probe: due now (the check promotes it to half-open and sends one call); open: a cool-down from now.
    const openUntil = action === 'probe' ? sql`now()` : sql`now() + make_interval(secs => ${cooldownSeconds})`;
    await queryRows(
      tx,
      sql`insert into service_circuits as c (service, state, consecutive_failures, opened_at, open_until)
          values (${service}, 'open', 0, now(), ${openUntil})
          on conflict (service) do update set state = 'open', open_until = ${openUntil},
            opened_at = case when c.state = 'closed' then now() else coalesce(c.opened_at, now()) end, updated_at = now()`,
    );
  }
  await queryRows(
    tx,
    sql`insert into service_circuit_events (service, from_state, to_state, reason, actor)
        values (${service}, ${fromState}, ${toState}, ${`${what} by ${actor}: ${reason}`}, ${actor})`,
  );
  return { service, fromState, toState };
}

/** Locks the service's circuit row for an operator action; its state (closed when it has no row). */
export async function lockServiceCircuit(tx: DbOrTx, service: string): Promise<string> {
  // A service without a row has no row to lock: the lock is on its name.
  await queryRows(tx, sql`select pg_advisory_xact_lock(hashtext(${`service_circuit:${service}`}))`);
  const [row] = await queryRows<{ state: string }>(tx, sql`select state from service_circuits where service = ${service} for update`);
  return row?.state ?? 'closed';
}
