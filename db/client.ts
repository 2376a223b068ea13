import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type DbOrTx = Db | Tx;
export type DatabaseKind = 'pglite' | 'postgres';

/** A database handle: the Drizzle instance plus what Drizzle has no API for (LISTEN, closing). */
export type Database = {
  db: Db;
  kind: DatabaseKind;
  /** Calls `onNotify` for each NOTIFY on `channel`; resolves to a function that stops listening. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Runs `fn` while holding a database-wide advisory lock, so only one process at a time runs it. */
  runExclusive<T>(lockKey: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export type OpenDatabaseOptions = { url?: string; dataDir?: string; maxConnections?: number };

/** Opens PostgreSQL when a URL is given, else embedded PGlite in `dataDir` (one owner per directory). */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) {
    return openPostgres(options.url, options.maxConnections ?? 10);
  }
  return openPglite(options.dataDir ?? './.data');
}

function openPostgres(url: string, maxConnections: number): Database {
  const client = postgres(url, {
    // runExclusive holds one connection while the work it guards runs on another.
    max: Math.max(2, maxConnections),
    onnotice: () => {},
    // JIT compiles the claim query on tables not yet analysed (a fresh install's first burst) and
    // turns a 1 ms statement into 600 ms (bench/RESULTS.md): these are short OLTP statements.
    connection: { TimeZone: 'UTC', application_name: 'switchyard', jit: 'off' },
  });
  const db = drizzlePostgres(client, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    async listen(channel, onNotify) {
      const subscription = await client.listen(channel, onNotify);
      return () => subscription.unlisten();
    },
    async runExclusive(lockKey, fn) {
      // A reserved connection: a session-level advisory lock must be released on the connection that took it.
      const connection = await client.reserve();
      try {
        await connection`select pg_advisory_lock(${lockKey})`;
        try {
          return await fn();
        } finally {
          await connection`select pg_advisory_unlock(${lockKey})`;
        }
      } finally {
        connection.release();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Extensions every embedded database is opened with. A migration may create indexes that need them
 * (pg_trgm: the task search index), so every PGlite that opens these files must load them.
 */
export const PGLITE_EXTENSIONS = { pg_trgm };

async function openPglite(dataDir: string): Promise<Database> {
  const directory = path.resolve(dataDir);
  // The database's files hold every task's context and results: only this user may read them.
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  fs.chmodSync(directory, 0o700);
  const releaseLock = acquireDirectoryLock(directory);
  let client: PGlite;
  try {
    const pgliteDirectory = path.join(directory, 'pglite');
    fs.mkdirSync(pgliteDirectory, { recursive: true, mode: 0o700 });
    // Files of an older version were written world-readable and -writable.
    makeTreePrivate(pgliteDirectory);
    client = await PGlite.create({ fs: new PrivateNodeFS(pgliteDirectory), extensions: PGLITE_EXTENSIONS });
    await client.exec(`SET TIME ZONE 'UTC'`);
  } catch (error) {
    releaseLock();
    throw new Error(`Could not open the embedded database in ${directory}`, { cause: error });
  }
  return wrapPglite(client, releaseLock);
}

/** A Database over an open PGlite instance (tests load one from a dump, in memory). */
export function wrapPglite(client: PGlite, onClose: () => void = () => {}): Database {
  const db = drizzlePglite(client, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    async listen(channel, onNotify) {
      const unlisten = await client.listen(channel, onNotify);
      return () => unlisten();
    },
    // One process owns the directory (see acquireDirectoryLock), so there is nobody to exclude.
    runExclusive: (_lockKey, fn) => fn(),
    async close() {
      await client.close();
      onClose();
    },
  };
}

/** Group and other bits: what no file of the database may have. */
const SHARED_MODE_BITS = 0o077;

/**
 * PGlite's file system (Emscripten's NODEFS) creates each file and then chmods it to the mode Postgres
 * asked for inside WebAssembly, which comes out as 0666 whatever the process's umask: a umask cannot
 * keep them private. This one strips group and other bits from every mode it creates or sets, so
 * files are 0600 and directories 0700 from the start (db/client.test.ts checks a fresh directory).
 */
type EmscriptenOptions = Parameters<NodeFS['init']>[1];
type EmscriptenModule = Parameters<NonNullable<EmscriptenOptions['preRun']>[number]>[0];

class PrivateNodeFS extends NodeFS {
  override async init(pg: PGlite, options: EmscriptenOptions): Promise<{ emscriptenOpts: EmscriptenOptions }> {
    const { emscriptenOpts } = await super.init(pg, options);
    const keepPrivate = (module: EmscriptenModule) => {
      const fileSystem = module.FS as unknown as {
        mknod(path: string, mode: number, dev: number): unknown;
        chmod(path: string | object, mode: number, dontFollow?: boolean): unknown;
      };
      const mknod = fileSystem.mknod.bind(fileSystem);
      const chmod = fileSystem.chmod.bind(fileSystem);
      fileSystem.mknod = (path, mode, dev) => mknod(path, mode & ~SHARED_MODE_BITS, dev);
      fileSystem.chmod = (path, mode, dontFollow) => chmod(path, mode & ~SHARED_MODE_BITS, dontFollow);
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), keepPrivate] } };
  }
}

/** Takes group and other bits off every file and directory under `root` (symbolic links are left alone). */
function makeTreePrivate(root: string): void {
  const entries = [root];
  for (let entry = entries.pop(); entry !== undefined; entry = entries.pop()) {
    const stats = fs.lstatSync(entry);
    if (stats.isSymbolicLink()) {
      continue;
    }
    if ((stats.mode & SHARED_MODE_BITS) !== 0) {
      fs.chmodSync(entry, stats.mode & 0o7700);
    }
    if (stats.isDirectory()) {
      for (const name of fs.readdirSync(entry)) {
        entries.push(path.join(entry, name));
      }
    }
  }
}

/**
 * PGlite has no lock of its own, and two processes on one data directory silently lose data.
 * A lock file naming the owning pid refuses a second owner while the first is alive.
 */
function acquireDirectoryLock(directory: string): () => void {
  const lockFile = path.join(directory, 'switchyard.lock');
  const ownerPid = readLockOwner(lockFile);
  if (ownerPid !== undefined && ownerPid !== process.pid && isProcessAlive(ownerPid)) {
    throw new Error(
      `The embedded database in ${directory} is already open in process ${ownerPid}. ` +
        'Stop that process, or set DATABASE_URL to share a PostgreSQL between processes.',
    );
  }
  fs.writeFileSync(lockFile, String(process.pid), { mode: 0o600 });
  return () => {
    if (readLockOwner(lockFile) === process.pid) {
      fs.rmSync(lockFile, { force: true });
    }
  };
}

function readLockOwner(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type DrizzleInternals = {
  dialect?: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  session?: { client?: { unsafe?: (text: string, params: unknown[], options: { prepare: boolean }) => Promise<unknown> } };
};

/**
 * Runs raw SQL and returns its rows, hiding that PGlite answers `{ rows }` and postgres.js an array.
 *
 * With `prepare` (for the orchestrator's hot path, whose statements have a fixed text), postgres.js
 * runs it as a named prepared statement: parsed once per connection, and planned once PostgreSQL has
 * settled on a generic plan. Drizzle's `execute` sends every statement unnamed, and a claim or a
 * completion then spends more time being parsed and planned than run (bench/RESULTS.md).
 */
export async function queryRows<T>(dbOrTx: DbOrTx, query: SQL, { prepare = false }: { prepare?: boolean } = {}): Promise<T[]> {
  const { dialect, session } = dbOrTx as unknown as DrizzleInternals;
  const client = session?.client;
  if (prepare && dialect && client?.unsafe) {
    const built = dialect.sqlToQuery(query);
    return (await client.unsafe(built.sql, built.params, { prepare: true })) as T[];
  }
  const result: unknown = await dbOrTx.execute(query);
  if (Array.isArray(result)) {
    return result as T[];
  }
  return (result as { rows: T[] }).rows;
}
