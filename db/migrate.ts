import path from 'node:path';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './client';

export const MIGRATIONS_FOLDER = path.resolve(process.cwd(), 'db/migrations');
/** Any constant: serialises migrations when several processes start at once on one PostgreSQL. */
const MIGRATION_LOCK_KEY = 7_340_001;

/** Applies every pending migration. Safe to call from several processes at once. */
export async function migrateDatabase(database: Database, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  await database.runExclusive(MIGRATION_LOCK_KEY, async () => {
    if (database.kind === 'pglite') {
      await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
    } else {
      await migratePostgres(database.db as unknown as PostgresJsDatabase, { migrationsFolder });
    }
  });
}
