import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { openDatabase, PGLITE_EXTENSIONS } from './client';
import { migrateDatabase } from './migrate';
import { pgliteTemplateFile, postgresTemplateDatabase, postgresUrlFor } from './test-template';

/** Migrates one embedded and (with TEST_DATABASE_URL) one PostgreSQL template that every test file clones. */
export default async function setup(): Promise<() => Promise<void>> {
  // Test workers start after this and inherit the variable: each run clones its own templates.
  process.env.SWITCHYARD_TEST_RUN = String(process.pid);
  const PGLITE_TEMPLATE_FILE = pgliteTemplateFile();
  const POSTGRES_TEMPLATE_DATABASE = postgresTemplateDatabase();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-template-'));
  const database = await openDatabase({ dataDir: directory });
  await migrateDatabase(database);
  await database.close();
  const pglite = await PGlite.create(path.join(directory, 'pglite'), { extensions: PGLITE_EXTENSIONS });
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  fs.mkdirSync(path.dirname(PGLITE_TEMPLATE_FILE), { recursive: true });
  fs.writeFileSync(PGLITE_TEMPLATE_FILE, Buffer.from(await dump.arrayBuffer()));
  fs.rmSync(directory, { recursive: true, force: true });

  const testUrl = process.env.TEST_DATABASE_URL;
  if (testUrl) {
    const admin = postgres(testUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${POSTGRES_TEMPLATE_DATABASE} with (force)`);
    await admin.unsafe(`create database ${POSTGRES_TEMPLATE_DATABASE}`);
    await admin.end();
    const template = await openDatabase({ url: postgresUrlFor(testUrl, POSTGRES_TEMPLATE_DATABASE), maxConnections: 1 });
    await migrateDatabase(template);
    await template.close();
  }

  return async () => {
    fs.rmSync(PGLITE_TEMPLATE_FILE, { force: true });
    if (testUrl) {
      const admin = postgres(testUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${POSTGRES_TEMPLATE_DATABASE} with (force)`);
      await admin.end();
    }
  };
}
