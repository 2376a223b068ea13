import postgres from 'postgres';
import { openDatabase, type Database } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';

/** The URL of database `name` on the server of `baseUrl`. */
export function databaseUrlFor(baseUrl: string, name: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export type ScratchDatabase = {
  name: string;
  url: string;
  database: Database;
  /** Closes the handle and drops the database unless it was adopted or `keep` was asked for. */
  close(): Promise<void>;
};

/**
 * A migrated database of its own on the PostgreSQL server of `serverUrl`, named
 * `<prefix>_<pid>_<n>` so that runs side by side never share one. Dropped on close unless `keep`.
 * With `adopt`, an existing database of that name is used as it is (and never dropped).
 */
export async function createScratchDatabase(
  serverUrl: string,
  { prefix, keep = false, adopt, maxConnections = 10 }: { prefix: string; keep?: boolean; adopt?: string; maxConnections?: number },
): Promise<ScratchDatabase> {
  const name = adopt ?? `${prefix}_${process.pid}_${Date.now() % 100_000}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    if (!adopt) {
      await admin.unsafe(`create database ${name}`);
    }
  } finally {
    await admin.end();
  }
  const url = databaseUrlFor(serverUrl, name);
  const database = await openDatabase({ url, maxConnections });
  await migrateDatabase(database);
  return {
    name,
    url,
    database,
    async close() {
      await database.close();
      if (keep || adopt) {
        return;
      }
      await dropDatabase(serverUrl, name);
    },
  };
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** Empties every table the orchestrator writes, keeping templates. */
export const TRUNCATE_WORK_SQL = 'truncate transitions, step_attempts, step_dependencies, steps, tasks, service_circuits restart identity cascade';
