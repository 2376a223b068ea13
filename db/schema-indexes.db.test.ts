import { is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { expect, it } from 'vitest';
import { queryRows } from './client';
import * as schema from './schema';
import { describeEachDatabase } from './testing';

// drizzle-kit compares the schema with its own snapshots, not with a database: an index dropped as a
// side effect (with a column it covers) would pass `npm run db:check` and be missing here.
describeEachDatabase('migrated database', (suite) => {
  it('has every index that db/schema.ts declares', async () => {
    const declared = (Object.values(schema) as unknown[])
      .filter((value): value is PgTable => is(value, PgTable))
      .flatMap((table) => getTableConfig(table).indexes.map((index) => index.config.name))
      .filter((name): name is string => typeof name === 'string')
      .sort();
    const present = new Set(
      (await queryRows<{ name: string }>(suite.database.db, sql`select indexname as name from pg_indexes where schemaname = 'public'`)).map(
        (row) => row.name,
      ),
    );
    expect(declared.length).toBeGreaterThan(10);
    expect(declared.filter((name) => !present.has(name))).toEqual([]);
  });
});
