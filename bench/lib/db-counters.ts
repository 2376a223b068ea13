import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client';

export type DatabaseCounters = { commits: number; rollbacks: number; rowsInserted: number; rowsUpdated: number; rowsDeleted: number };

/**
 * This database's cumulative counters from pg_stat_database. PostgreSQL 15 flushes a backend's
 * counters when it goes idle (at most once a second), so read them after a short pause.
 */
export async function readDatabaseCounters(db: Db): Promise<DatabaseCounters> {
  await db.execute(sql`select pg_stat_clear_snapshot()`);
  const [row] = await queryRows<{ commits: string; rollbacks: string; ins: string; upd: string; del: string }>(
    db,
    sql`select xact_commit::text as commits, xact_rollback::text as rollbacks, tup_inserted::text as ins, tup_updated::text as upd,
          tup_deleted::text as del
        from pg_stat_database where datname = current_database()`,
  );
  return {
    commits: Number(row?.commits ?? 0),
    rollbacks: Number(row?.rollbacks ?? 0),
    rowsInserted: Number(row?.ins ?? 0),
    rowsUpdated: Number(row?.upd ?? 0),
    rowsDeleted: Number(row?.del ?? 0),
  };
}

export function countersBetween(before: DatabaseCounters, after: DatabaseCounters): DatabaseCounters {
  return {
    commits: after.commits - before.commits,
    rollbacks: after.rollbacks - before.rollbacks,
    rowsInserted: after.rowsInserted - before.rowsInserted,
    rowsUpdated: after.rowsUpdated - before.rowsUpdated,
    rowsDeleted: after.rowsDeleted - before.rowsDeleted,
  };
}
