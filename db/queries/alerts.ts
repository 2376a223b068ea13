import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx, type Tx } from '../client';
import { errorSignatureExpression, normalisedErrorMessageExpression } from '../error-signature';
import type { AlertKind } from '../statuses';

/** A failure group, as the Failures view groups failing_steps. */
export type AlertGroupKey = { namespace: string; name: string; step: string; status: string; errorSignature: string };

export type LockedAlertGroup = AlertGroupKey & {
  notified: AlertKind | null;
  lastAlertedAt: Date | null;
};

/** What a failure group holds now; undefined when it has no task left. */
export type AlertGroupFigures = {
  taskCount: number;
  firstFailureAt: string;
  lastFailureAt: string;
  signature: string;
  message: string;
  errorClass: string | null;
  errorCode: string | null;
  httpStatus: number | null;
  sampleTaskId: string;
};

type KeyRow = { namespace: string; name: string; step: string; status: string; error_signature: string };

const toKey = (row: KeyRow): AlertGroupKey => ({
  namespace: row.namespace,
  name: row.name,
  step: row.step,
  status: row.status,
  errorSignature: row.error_signature,
});

/** One text per group, for maps and for a stable lock order. */
export const alertGroupId = (key: AlertGroupKey): string => JSON.stringify([key.namespace, key.name, key.step, key.status, key.errorSignature]);

const keysJson = (keys: readonly AlertGroupKey[]) =>
  JSON.stringify(
    keys.map((key) => ({ namespace: key.namespace, name: key.name, step: key.step, status: key.status, error_signature: key.errorSignature })),
  );
const keysInput = (keys: readonly AlertGroupKey[]) =>
  sql`jsonb_to_recordset(${keysJson(keys)}::jsonb) as k(namespace text, name text, step text, status text, error_signature text)`;

/**
 * Deletes and returns up to `limit` of the oldest alert events (each names a failure group whose tasks
 * changed), as distinct groups. Rows another process has taken are skipped, not waited on; the events
 * are gone only when the caller's transaction commits.
 */
export async function takeAlertEvents(tx: Tx, limit: number): Promise<{ taken: number; groups: AlertGroupKey[] }> {
  const rows = await queryRows<KeyRow & { events: number }>(
    tx,
    sql`
    with taken as (
      delete from alert_events where id in (select id from alert_events order by id limit ${limit} for update skip locked)
      returning namespace, name, step, status, error_signature
    )
    select namespace, name, step, status, error_signature, count(*)::int as events from taken group by 1, 2, 3, 4, 5`,
  );
  return { taken: rows.reduce((sum, row) => sum + row.events, 0), groups: rows.map(toKey) };
}

/** The database's clock: every process decides quiet times by the same one. */
export async function readDatabaseNow(dbOrTx: DbOrTx): Promise<Date> {
  const [row] = await queryRows<{ now: string | Date }>(dbOrTx, sql`select now() as now`);
  return row ? new Date(row.now) : new Date();
}

/** Groups whose quiet time has ended while they still had to be looked at again; locked rows are skipped. */
export async function takeDueAlertRechecks(tx: Tx, limit: number): Promise<AlertGroupKey[]> {
  const rows = await queryRows<KeyRow>(
    tx,
    sql`select namespace, name, step, status, error_signature from alert_groups
        where recheck_at <= now() order by recheck_at limit ${limit} for update skip locked`,
  );
  return rows.map(toKey);
}

/**
 * Locks the alert state of each group (made when missing), in one order so that two processes never
 * wait on each other in a circle. A process that waited here then reads what the other one wrote.
 */
export async function lockAlertGroups(tx: Tx, keys: readonly AlertGroupKey[]): Promise<LockedAlertGroup[]> {
  if (keys.length === 0) {
    return [];
  }
  const sorted = [...keys].sort((a, b) => (alertGroupId(a) < alertGroupId(b) ? -1 : 1));
  await tx.execute(sql`
    insert into alert_groups (namespace, name, step, status, error_signature)
    select namespace, name, step, status, error_signature from ${keysInput(sorted)}
    on conflict do nothing`);
  const rows = await queryRows<KeyRow & { notified: AlertKind | null; last_alerted_at: string | Date | null }>(
    tx,
    sql`
    select g.namespace, g.name, g.step, g.status, g.error_signature, g.notified, g.last_alerted_at
    from alert_groups g join ${keysInput(sorted)}
      on (g.namespace, g.name, g.step, g.status, g.error_signature) = (k.namespace, k.name, k.step, k.status, k.error_signature)
    order by g.namespace, g.name, g.step, g.status, g.error_signature
    for update of g`,
  );
  return rows.map((row) => ({
    ...toKey(row),
    notified: row.notified,
    lastAlertedAt: row.last_alerted_at === null ? null : new Date(row.last_alerted_at),
  }));
}

/** Each group's tasks now: how many, since when, and its error (read off its latest failure). */
export async function readAlertGroupFigures(dbOrTx: DbOrTx, keys: readonly AlertGroupKey[]): Promise<Map<string, AlertGroupFigures>> {
  if (keys.length === 0) {
    return new Map();
  }
  const rows = await queryRows<
    KeyRow & {
      task_count: number;
      first_failure_at: string;
      last_failure_at: string;
      signature: string;
      message: string;
      error_class: string | null;
      error_code: string | null;
      http_status: number | string | null;
      sample_task_id: string;
    }
  >(
    dbOrTx,
    sql`
    select k.namespace, k.name, k.step, k.status, k.error_signature, figures.*,
      ${sql.raw(errorSignatureExpression('latest.last_error'))} as signature,
      ${sql.raw(normalisedErrorMessageExpression('latest.last_error'))} as message,
      latest.last_error->>'class' as error_class, nullif(latest.last_error->>'code', '') as error_code,
      (latest.last_error->>'http_status')::int as http_status, latest.task_id::text as sample_task_id
    from ${keysInput(keys)}
    cross join lateral (
      select count(*)::int as task_count,
        to_char(min(f.failed_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as first_failure_at,
        to_char(max(f.failed_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_failure_at
      from failing_steps f
      where (f.namespace, f.name, f.step, f.status, f.error_signature) = (k.namespace, k.name, k.step, k.status, k.error_signature)
    ) figures
    cross join lateral (
      select s.last_error, s.task_id from failing_steps f join steps s on s.id = f.step_id
      where (f.namespace, f.name, f.step, f.status, f.error_signature) = (k.namespace, k.name, k.step, k.status, k.error_signature)
      order by f.failed_at desc, f.step_id desc limit 1
    ) latest
    where figures.task_count > 0`,
  );
  return new Map(
    rows.map((row) => [
      alertGroupId(toKey(row)),
      {
        taskCount: row.task_count,
        firstFailureAt: row.first_failure_at,
        lastFailureAt: row.last_failure_at,
        signature: row.signature,
        message: row.message,
        errorClass: row.error_class,
        errorCode: row.error_code,
        httpStatus: row.http_status === null ? null : Number(row.http_status),
        sampleTaskId: row.sample_task_id,
      },
    ]),
  );
}

/** The payload of the group's latest "failing" message, for the "resolved" one that follows it. */
export async function findLastFailingPayload(tx: Tx, key: AlertGroupKey): Promise<Record<string, unknown> | undefined> {
  const rows = await queryRows<{ payload: Record<string, unknown> }>(
    tx,
    sql`select payload from alert_deliveries
        where (namespace, name, step, status, error_signature) = (${key.namespace}, ${key.name}, ${key.step}, ${key.status}, ${key.errorSignature})
          and kind = 'failing'
        order by id desc limit 1`,
  );
  return rows[0]?.payload;
}

/** Records what the receiver is told about a group (or when to look at it again), on a row `lockAlertGroups` locked. */
export async function updateAlertGroup(
  tx: Tx,
  key: AlertGroupKey,
  change: { notified?: AlertKind; alerted?: boolean; recheckAt: Date | null },
): Promise<void> {
  await tx.execute(sql`
    update alert_groups set
      notified = coalesce(${change.notified ?? null}::text, notified),
      last_alerted_at = case when ${change.alerted === true} then now() else last_alerted_at end,
      recheck_at = ${change.recheckAt?.toISOString() ?? null}::timestamptz
    where (namespace, name, step, status, error_signature) = (${key.namespace}, ${key.name}, ${key.step}, ${key.status}, ${key.errorSignature})`);
}

export async function insertAlertDelivery(tx: Tx, delivery: { kind: AlertKind; key: AlertGroupKey; payload: object }): Promise<void> {
  const { key } = delivery;
  await tx.execute(sql`
    insert into alert_deliveries (kind, namespace, name, step, status, error_signature, payload)
    values (${delivery.kind}, ${key.namespace}, ${key.name}, ${key.step}, ${key.status}, ${key.errorSignature}, ${JSON.stringify(delivery.payload)}::jsonb)`);
}

export type ClaimedAlertDelivery = { id: number; kind: AlertKind; payload: Record<string, unknown>; attempts: number; createdAt: Date };

/**
 * Takes up to `limit` messages due to be sent, oldest first: pending ones whose time has come, and ones
 * whose sender's lease ran out (it died while sending). A message waits while an older one of its group
 * is not sent yet, so "resolved" never overtakes "failing". Rows another process holds are skipped.
 */
export async function claimAlertDeliveries(
  dbOrTx: DbOrTx,
  { limit, workerId, leaseSeconds }: { limit: number; workerId: string; leaseSeconds: number },
): Promise<ClaimedAlertDelivery[]> {
  const rows = await queryRows<{
    id: number | string;
    kind: AlertKind;
    payload: Record<string, unknown>;
    attempts: number;
    created_at: string | Date;
  }>(
    dbOrTx,
    sql`
    update alert_deliveries d set state = 'sending', attempts = d.attempts + 1, worker_id = ${workerId},
      lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
    where d.id in (
      select c.id from alert_deliveries c
      where c.state in ('pending','sending') and c.next_attempt_at <= now()
        and (c.state = 'pending' or c.lease_expires_at < now())
        and not exists (
          select 1 from alert_deliveries e
          where e.state in ('pending','sending') and e.id < c.id
            and (e.namespace, e.name, e.step, e.status, e.error_signature) = (c.namespace, c.name, c.step, c.status, c.error_signature))
      order by c.id limit ${limit}
      for update skip locked)
    returning d.id, d.kind, d.payload, d.attempts, d.created_at`,
  );
  return rows
    .map((row) => ({ id: Number(row.id), kind: row.kind, payload: row.payload, attempts: row.attempts, createdAt: new Date(row.created_at) }))
    .sort((a, b) => a.id - b.id);
}

/**
 * Writes the outcome of one attempt to send a message this process holds: delivered, given up (failed), or
 * pending again at `retryAt`. False when the lease was lost to another process meanwhile.
 */
export async function recordAlertDeliveryAttempt(
  dbOrTx: DbOrTx,
  attempt: {
    id: number;
    workerId: string;
    state: 'delivered' | 'failed' | 'pending';
    responseStatus: number | null;
    error: string | null;
    retryAt?: Date;
  },
): Promise<boolean> {
  const rows = await queryRows<{ id: number | string }>(
    dbOrTx,
    sql`
    update alert_deliveries set state = ${attempt.state}, response_status = ${attempt.responseStatus}, last_error = ${attempt.error},
      delivered_at = case when ${attempt.state} = 'delivered' then now() end,
      next_attempt_at = coalesce(${attempt.retryAt?.toISOString() ?? null}::timestamptz, next_attempt_at),
      lease_expires_at = null, worker_id = null
    where id = ${attempt.id} and state = 'sending' and worker_id = ${attempt.workerId}
    returning id`,
  );
  return rows.length === 1;
}

/**
 * Housekeeping, once a minute by any process: alert events older than a minute when no process of this
 * kind sends alerts (ALERT_WEBHOOK_URL unset: nobody else reads them), and messages and group states
 * untouched for 30 days.
 */
export async function pruneAlertTables(dbOrTx: DbOrTx, { dropUnreadEvents }: { dropUnreadEvents: boolean }): Promise<void> {
  if (dropUnreadEvents) {
    await dbOrTx.execute(sql`delete from alert_events where created_at < now() - interval '1 minute'`);
  }
  await dbOrTx.execute(sql`delete from alert_deliveries where state in ('delivered','failed') and created_at < now() - interval '30 days'`);
  await dbOrTx.execute(
    sql`delete from alert_groups where notified is distinct from 'failing' and recheck_at is null
        and coalesce(last_alerted_at, '-infinity') < now() - interval '30 days'`,
  );
}
