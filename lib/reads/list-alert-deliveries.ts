import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import type { AlertDelivery } from '../api/types';
import { isoTimeSql } from './task-filter-sql';

const LATEST_DELIVERIES = 50;

/** The latest alert messages, newest first, with how each was delivered (or why not yet). */
export async function listAlertDeliveries(db: DbOrTx): Promise<AlertDelivery[]> {
  return queryRows<AlertDelivery>(
    db,
    sql`
    select d.id::text as id, d.kind, d.namespace || '/' || d.name as template, d.namespace, d.name, d.step,
      coalesce(d.payload->>'signature', d.error_signature) as signature, d.error_signature,
      coalesce((d.payload->>'task_count')::int, 0) as task_count, d.state, d.attempts, d.response_status, d.last_error,
      ${isoTimeSql(sql`d.created_at`)} as created_at,
      case when d.state = 'pending' then ${isoTimeSql(sql`d.next_attempt_at`)} end as next_attempt_at,
      case when d.delivered_at is not null then ${isoTimeSql(sql`d.delivered_at`)} end as delivered_at
    from alert_deliveries d
    order by d.id desc
    limit ${LATEST_DELIVERIES}`,
  );
}
