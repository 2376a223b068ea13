import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { tasks } from '../../db/schema';
import type { TemplateVersionUsage } from '../api/types';

const DAY_MS = 24 * 60 * 60 * 1000;

type UsageRow = { namespace: string; name: string; version: string; tasks: number; tasks_last_day: number; failed_last_day: number };

/**
 * How much each template version is used: its tasks ever, its tasks created in the 24 hours before
 * `now`, and how many of those are in `error` now. The failure rate is failed / created in that day,
 * null when the version started no task that day.
 */
export async function listTemplateUsage(db: DbOrTx, { now = new Date() }: { now?: Date } = {}): Promise<TemplateVersionUsage[]> {
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const rows = await queryRows<UsageRow>(
    db,
    sql`select namespace, name, version, count(*)::int as tasks,
          count(*) filter (where created_at >= ${since}::timestamptz)::int as tasks_last_day,
          count(*) filter (where created_at >= ${since}::timestamptz and status = 'error')::int as failed_last_day
        from ${tasks}
        group by namespace, name, version
        order by namespace, name, version`,
  );
  return rows.map((row) => ({
    namespace: row.namespace,
    name: row.name,
    version: row.version,
    tasks: Number(row.tasks),
    tasks_last_day: Number(row.tasks_last_day),
    failed_last_day: Number(row.failed_last_day),
    failure_rate_last_day: Number(row.tasks_last_day) > 0 ? Number(row.failed_last_day) / Number(row.tasks_last_day) : null,
  }));
}
