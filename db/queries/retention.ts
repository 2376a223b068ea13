import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../client';
import { FINISHED_TASK_STATUSES } from '../statuses';
import { toSqlList } from '../to-sql-list';

/** The advisory lock one process holds while it removes old tasks (transaction-scoped): one remover at a time. */
const RETENTION_LOCK_KEY = 0x5359_5245; // 'SYRE'

/** Takes the retention lock for this transaction; false when another process holds it. */
export async function tryRetentionLock(tx: DbOrTx): Promise<boolean> {
  const [row] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}) as locked`);
  return row?.locked === true;
}

/**
 * Locks up to `limit` tasks finished (complete, cancelled, resolved_manually, compensated) before
 * `retentionDays` ago, oldest first; a task an operator is changing (locked) is skipped, and the status
 * is checked again on the row as locked, so a task re-run or compensated meanwhile is left alone.
 * Never a task in error, compensating or running.
 */
export async function lockExpiredTasks(tx: DbOrTx, { retentionDays, limit }: { retentionDays: number; limit: number }): Promise<number[]> {
  const rows = await queryRows<{ id: string | number }>(
    tx,
    sql`select id from tasks
      where status in (${toSqlList(FINISHED_TASK_STATUSES)})
        and coalesce(completed_at, updated_at) < now() - make_interval(secs => ${retentionDays * 86_400}::double precision)
      order by id limit ${limit}
      for update skip locked`,
  );
  return rows.map((row) => Number(row.id));
}

function idList(taskIds: readonly number[]) {
  return `{${taskIds.join(',')}}`;
}

/**
 * Each task as one JSON line (NDJSON), as its rows are: the task, its steps, their dependencies,
 * attempts and the task's audit trail, with the database's column names.
 */
export async function readTaskArchiveLines(tx: DbOrTx, taskIds: readonly number[]): Promise<string[]> {
  const rows = await queryRows<{ line: string }>(
    tx,
    sql`select jsonb_build_object(
        'archived_at', now(),
        'task', to_jsonb(t),
        'steps', coalesce((select jsonb_agg(to_jsonb(s) order by s.position, s.id) from steps s where s.task_id = t.id), '[]'::jsonb),
        'step_dependencies', coalesce((select jsonb_agg(to_jsonb(d) order by d.step_id, d.depends_on_step_id)
          from step_dependencies d join steps s on s.id = d.step_id where s.task_id = t.id), '[]'::jsonb),
        'step_attempts', coalesce((select jsonb_agg(to_jsonb(a) order by a.step_id, a.number)
          from step_attempts a join steps s on s.id = a.step_id where s.task_id = t.id), '[]'::jsonb),
        'transitions', coalesce((select jsonb_agg(to_jsonb(tr) order by tr.id) from transitions tr where tr.task_id = t.id), '[]'::jsonb)
      )::text as line
      from tasks t where t.id = any(${idList(taskIds)}::bigint[]) order by t.id`,
  );
  return rows.map((row) => row.line);
}

/**
 * Removes the tasks with every row of theirs: attempts and transitions (no foreign key: they are
 * append-only), failing_steps rows, then the tasks, whose steps, dependencies and bulk-action links go
 * with them (ON DELETE CASCADE). Returns how many tasks were removed.
 */
export async function deleteTasks(tx: DbOrTx, taskIds: readonly number[]): Promise<number> {
  const ids = idList(taskIds);
  await tx.execute(sql`delete from step_attempts a using steps s where s.id = a.step_id and s.task_id = any(${ids}::bigint[])`);
  await tx.execute(sql`delete from transitions where task_id = any(${ids}::bigint[])`);
  await tx.execute(sql`delete from failing_steps where task_id = any(${ids}::bigint[])`);
  const rows = await queryRows<{ id: string | number }>(tx, sql`delete from tasks where id = any(${ids}::bigint[]) returning id`);
  return rows.length;
}
