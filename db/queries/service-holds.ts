import { asc, sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../client';
import { serviceHolds, type ServiceHoldRow } from '../schema';
import { CLAIMABLE_STEP_STATUSES } from '../statuses';
import { toSqlList } from '../to-sql-list';
import { STEPS_READY_CHANNEL } from './steps';

/** True for a step whose service (`service`, a column of the query) is not held: what claims and wake-ups look at. */
export function isNotHeldSql(service: SQL): SQL {
  return sql`(${service} is null or ${service} not in (select h.service from service_holds h))`;
}

/** Holds `service`, with the audit row; undefined when it was held already (nothing written). */
export async function insertServiceHold(
  dbOrTx: DbOrTx,
  { service, reason, actor }: { service: string; reason: string; actor: string },
): Promise<ServiceHoldRow | undefined> {
  const [row] = await queryRows<{ service: string; reason: string; held_by: string; held_at: Date | string }>(
    dbOrTx,
    sql`
    with held as (
      insert into service_holds (service, reason, held_by) values (${service}, ${reason}, ${actor})
      on conflict (service) do nothing
      returning service, reason, held_by, held_at
    ), event as (
      insert into service_hold_events (service, action, reason, actor, created_at)
      select service, 'hold', reason, held_by, held_at from held
    )
    select * from held`,
  );
  return row && { service: row.service, reason: row.reason, heldBy: row.held_by, heldAt: new Date(row.held_at) };
}

/**
 * Ends the hold of `service`, with the audit row, and releases its waiting steps spread out (`spreadMs`
 * apart, none earlier than it was due) rather than all in one instant, waking every orchestrator.
 * Returns the hold that ended, or undefined when the service was not held (nothing written).
 */
export async function deleteServiceHold(
  dbOrTx: DbOrTx,
  { service, reason, actor, spreadMs }: { service: string; reason: string; actor: string; spreadMs: number },
): Promise<(ServiceHoldRow & { releasedSteps: number }) | undefined> {
  const [row] = await queryRows<{ service: string; reason: string; held_by: string; held_at: Date | string; released_steps: number }>(
    dbOrTx,
    sql`
    with ended as (
      delete from service_holds where service = ${service}
      returning service, reason, held_by, held_at
    ), event as (
      insert into service_hold_events (service, action, reason, actor)
      select service, 'release', ${reason}, ${actor} from ended
    ), waiting as (
      select s.id, row_number() over (order by s.run_at, s.id) - 1 as position from steps s
      where s.status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) and s.service in (select service from ended)
    ), released as (
      update steps s set run_at = greatest(s.run_at, now() + make_interval(secs => waiting.position::float8 * ${spreadMs / 1000}::float8)),
        updated_at = now()
      from waiting where s.id = waiting.id
      returning s.id
    ), wake as (
      select pg_notify(${STEPS_READY_CHANNEL}, '') from (select 1 from ended) any_ended
    )
    select e.*, (select count(*) from released)::int as released_steps, (select count(*) from wake)::int as woken from ended e`,
  );
  return (
    row && {
      service: row.service,
      reason: row.reason,
      heldBy: row.held_by,
      heldAt: new Date(row.held_at),
      releasedSteps: Number(row.released_steps),
    }
  );
}

export async function findServiceHolds(dbOrTx: DbOrTx): Promise<ServiceHoldRow[]> {
  return dbOrTx.select().from(serviceHolds).orderBy(asc(serviceHolds.service));
}
