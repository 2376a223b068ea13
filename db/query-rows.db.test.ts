import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from './client';
import { describeEachDatabase } from './testing';

describeEachDatabase('queryRows', (suite) => {
  it('runs a statement with `prepare` as a named prepared statement on PostgreSQL, with the same rows', async () => {
    const { db, kind } = suite.database;
    const input = JSON.stringify([{ n: 1 }, { n: 2 }]);
    const statement = sql`select n, ${'x'}::text as tag from jsonb_to_recordset(${input}::text::jsonb) as i(n int) order by n`;
    const plain = await queryRows<{ n: number; tag: string }>(db, statement);
    await db.transaction(async (tx) => {
      // One connection for both: the prepared statement lives in that session.
      const prepared = await queryRows<{ n: number; tag: string }>(tx, statement, { prepare: true });
      expect(prepared).toEqual(plain);
      expect(plain).toEqual([
        { n: 1, tag: 'x' },
        { n: 2, tag: 'x' },
      ]);
      if (kind === 'postgres') {
        const [row] = await queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from pg_prepared_statements where statement like '%jsonb_to_recordset%' and not from_sql`,
        );
        expect(row!.n).toBe(1);
      }
    });
  });
});
