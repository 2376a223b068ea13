import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client';

const dialect = new PgDialect({ casing: 'snake_case' });

export type CapturedStatement = { text: string; params: unknown[] };

/**
 * Runs a query function of db/queries against a stand-in that records the SQL it would send instead
 * of sending it, so the very statement of the hot path can be EXPLAINed. Each `execute` answers with
 * no rows (the functions treat that as "nothing happened").
 */
export async function captureStatements(run: (db: DbOrTx) => Promise<unknown>): Promise<CapturedStatement[]> {
  const captured: CapturedStatement[] = [];
  const recorder = {
    execute(query: SQL) {
      const built = dialect.sqlToQuery(query);
      captured.push({ text: built.sql, params: built.params });
      return Promise.resolve([]);
    },
  };
  await run(recorder as unknown as DbOrTx);
  return captured;
}
