import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { bulkActions, bulkActionTasks, serviceCircuits, serviceHolds, steps, tasks } from '../../db/schema';
import { toSqlList } from '../../db/to-sql-list';
import type { BulkActionProgress } from '../api/types';
import { NotFoundError } from '../errors';
import { TASK_STATUSES, UNFINISHED_STEP_STATUSES, type TaskStatus } from '../statuses';
import { isoTimeSql } from './task-filter-sql';

const DONE: readonly TaskStatus[] = ['complete', 'resolved_manually'];
const FAILED: readonly TaskStatus[] = ['error'];
const WAITING: readonly TaskStatus[] = ['pending', 'in_progress'];

type ActionRow = { id: string | number; action: BulkActionProgress['action']; actor: string; reason: string | null; created_at: string };
type ServiceRow = {
  service: string;
  circuit: string | null;
  next_probe_at: string | null;
  held_by: string | null;
  hold_reason: string | null;
  steps: number;
};

/**
 * Where the tasks of a bulk action are now: how many are done, failed again, still waiting, by status;
 * and the services their unfinished steps wait on whose circuit is not closed or that are held, since
 * a retry behind an open circuit or a hold waits until it closes or is released. Throws NotFoundError.
 */
export async function getBulkActionProgressOrThrow(dbOrTx: DbOrTx, bulkActionId: number): Promise<BulkActionProgress> {
  const [action] = await queryRows<ActionRow>(
    dbOrTx,
    sql`select id, action, actor, reason, ${isoTimeSql(sql`created_at`)} as created_at from ${bulkActions} where id = ${bulkActionId}`,
  );
  if (!action) {
    throw new NotFoundError('bulk action', String(bulkActionId));
  }
  const counts = await queryRows<{ status: TaskStatus; count: number }>(
    dbOrTx,
    sql`select t.status, count(*)::int as count from ${bulkActionTasks} b join ${tasks} t on t.id = b.task_id
        where b.bulk_action_id = ${bulkActionId} group by t.status`,
  );
  const services = await queryRows<ServiceRow>(
    dbOrTx,
    sql`select s.service, c.state as circuit,
          case when c.state in ('open', 'half_open') then ${isoTimeSql(sql`c.open_until`)} end as next_probe_at,
          h.held_by, h.reason as hold_reason, count(*)::int as steps
        from ${bulkActionTasks} b
        join ${steps} s on s.task_id = b.task_id and s.service is not null and s.status in (${toSqlList(UNFINISHED_STEP_STATUSES)})
        left join ${serviceCircuits} c on c.service = s.service
        left join ${serviceHolds} h on h.service = s.service
        where b.bulk_action_id = ${bulkActionId} and (c.state in ('open', 'half_open') or h.service is not null)
        group by s.service, c.state, c.open_until, h.held_by, h.reason
        order by s.service`,
  );
  const byStatus = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  for (const row of counts) {
    byStatus[row.status] = Number(row.count);
  }
  const sum = (statuses: readonly TaskStatus[]) => statuses.reduce((total, status) => total + byStatus[status], 0);
  const total = TASK_STATUSES.reduce((all, status) => all + byStatus[status], 0);
  return {
    id: String(action.id),
    action: action.action,
    actor: action.actor,
    reason: action.reason,
    created_at: action.created_at,
    tasks: total,
    done: sum(DONE),
    failed: sum(FAILED),
    waiting: sum(WAITING),
    other: total - sum(DONE) - sum(FAILED) - sum(WAITING),
    by_status: byStatus,
    blocked_services: services.map((row) => ({
      service: row.service,
      circuit: row.circuit === 'open' || row.circuit === 'half_open' ? row.circuit : 'closed',
      next_probe_at: row.next_probe_at,
      held: row.held_by !== null,
      hold_reason: row.hold_reason,
      waiting_steps: Number(row.steps),
    })),
  };
}
