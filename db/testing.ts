import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { openDatabase, PGLITE_EXTENSIONS, wrapPglite, type Database, type DatabaseKind } from './client';
import { pgliteTemplateFile, postgresTemplateDatabase, postgresUrlFor } from './test-template';

/** The databases every DB suite runs on: embedded always, PostgreSQL when TEST_DATABASE_URL is set. */
const testDatabaseKinds: DatabaseKind[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export type TestDatabase = Database & { url: string | undefined };

/** A fresh migrated database cloned from the template made in global setup; dropped on close. */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dump = new Blob([fs.readFileSync(pgliteTemplateFile())]);
    const client = await PGlite.create({ loadDataDir: dump, extensions: PGLITE_EXTENSIONS });
    await client.exec(`SET TIME ZONE 'UTC'`);
    return { ...wrapPglite(client), url: undefined };
  }
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (!baseUrl) {
    throw new Error('TEST_DATABASE_URL is not set');
  }
  const name = `switchyard_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${postgresTemplateDatabase()}`);
  const url = postgresUrlFor(baseUrl, name);
  const database = await openDatabase({ url, maxConnections: 20 });
  return {
    ...database,
    url,
    async close() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Empties every table, so each test starts from nothing. */
export async function resetDatabase(database: Database): Promise<void> {
  await database.db.execute(
    sql`truncate transitions, step_attempts, step_dependencies, steps, tasks, template_versions, service_circuits, service_circuit_events, service_holds, service_hold_events, service_limit_usage, api_tokens, auth_failures, auth_failure_allowance restart identity cascade`,
  );
}

export type DatabaseSuiteContext = { readonly database: TestDatabase; readonly kind: DatabaseKind };

/** Declares the suite once per database kind, with a fresh database per suite and empty tables per test. */
export function describeEachDatabase(name: string, defineTests: (suite: DatabaseSuiteContext) => void): void {
  for (const kind of testDatabaseKinds) {
    describe(`${name} [${kind}]`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await openTestDatabase(kind);
      });
      afterAll(async () => {
        await database?.close();
      });
      beforeEach(async () => {
        if (database) {
          await resetDatabase(database);
        }
      });
      defineTests({
        kind,
        get database() {
          if (!database) {
            throw new Error('the test database is not open yet');
          }
          return database;
        },
      });
    });
  }
}
