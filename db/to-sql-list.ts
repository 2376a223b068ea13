import { sql, type SQL } from 'drizzle-orm';

/**
 * A list of constants (db/statuses.ts) as SQL literals, `'a','b'`, for `status in (…)`. Literals, not
 * parameters: the planner matches them against the partial indexes (`where status in ('ready','waiting_retry')`),
 * and the schema's checks are written with them.
 */
export function toSqlList(values: readonly string[]): SQL {
  return sql.raw(values.map((value) => `'${value.replaceAll("'", "''")}'`).join(','));
}
