import { openDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { readEnv } from '../lib/env';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database in DATA_DIR. */
const env = readEnv();
const database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
await migrateDatabase(database);
await database.close();
console.log(`migrated the ${database.kind} database`);
