import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { openTestDatabase, resetDatabase, type TestDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { saveTestTemplate, waitFor, waitForTaskStatus } from '../testing/task-testing';

type Worker = { process: ChildProcess; exited: Promise<number | null> };
const workers: Worker[] = [];

function startWorker(databaseUrl: string, recordFile: string, extraEnv: Record<string, string> = {}): Worker {
  // node itself (not npx → tsx → node), so that signals reach the worker and exit means the worker exited.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run-worker.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      E2E: '1',
      DEMO_SERVICES: 'off',
      SWITCHYARD_TEST_RECORD_FILE: recordFile,
      WORKER_CONCURRENCY: '10',
      LEASE_SECONDS: '2',
      POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const worker = { process: child, exited };
  workers.push(worker);
  return worker;
}

/** Signals the worker (and anything it started). */
function killWorker(worker: Worker, signal: NodeJS.Signals) {
  if (worker.process.pid && worker.process.exitCode === null) {
    try {
      process.kill(-worker.process.pid, signal);
    } catch {
      // already gone
    }
  }
}

type RecordLine = { handler: string; phase: string; step: string; attempt: number; pid: number };
function readRecords(file: string): RecordLine[] {
  if (!fs.existsSync(file)) {
    return [];
  }
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordLine);
}

afterEach(async () => {
  for (const worker of workers.splice(0)) {
    killWorker(worker, 'SIGKILL');
    await worker.exited;
  }
});

// Several processes sharing one database need a real PostgreSQL: an embedded PGlite has one owner.
describe.skipIf(!process.env.TEST_DATABASE_URL)('worker processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let recordFile: string;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    return () => database.close();
  });

  it('two workers run 2,000 steps, every handler exactly once', async () => {
    await resetDatabase(database);
    recordFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-scale-')), 'runs.ndjson');
    const { db } = database;
    await saveTestTemplate(db, {
      name: 'diamond',
      steps: [
        { name: 'a', handler: 'test.noop' },
        { name: 'b', handler: 'test.noop', dependsOn: ['a'], handlerConfig: { result: { from: 'b' } } },
        { name: 'c', handler: 'test.noop', dependsOn: ['a'], handlerConfig: { result: { from: 'c' } } },
        // d echoes the results it was handed: both of b's and c's, even when the two completed at the same time in two workers.
        { name: 'd', handler: 'test.echo', dependsOn: ['b', 'c'] },
        { name: 'e', handler: 'test.noop', dependsOn: ['d'] },
      ],
    });
    for (let i = 0; i < 400; i++) {
      await createTask(db, { namespace: 'tests', name: 'diamond', context: { i } });
    }
    startWorker(database.url!, recordFile);
    startWorker(database.url!, recordFile);
    await waitFor(
      async () => {
        const [row] = await queryRows<{ open: number }>(db, sql`select count(*)::int as open from tasks where status <> 'complete'`);
        return row!.open === 0;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: '400 tasks to complete' },
    );
    const runs = readRecords(recordFile);
    expect(runs).toHaveLength(1600);
    expect(new Set(runs.map((run) => run.step)).size).toBe(1600);
    const [handedOver] = await queryRows<{ complete: number }>(
      db,
      sql`select count(*)::int as complete from steps where name = 'd'
          and results->'results'->'b' = '{"from": "b"}' and results->'results'->'c' = '{"from": "c"}'`,
    );
    expect(handedOver!.complete).toBe(400);
    expect(new Set(runs.map((run) => run.pid)).size).toBe(2);
    const [attempts] = await queryRows<{ attempts: number; repeated: number }>(
      db,
      sql`select count(*)::int as attempts, (select count(*) from steps where attempts <> 1)::int as repeated from step_attempts`,
    );
    expect(attempts).toEqual({ attempts: 2000, repeated: 0 });
  });

  it('a worker killed with SIGKILL mid-step: another worker takes the step over and finishes the task', async () => {
    await resetDatabase(database);
    recordFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-kill-')), 'runs.ndjson');
    const { db } = database;
    await saveTestTemplate(db, {
      name: 'slow',
      steps: [
        { name: 'long_call', handler: 'test.sleep', handlerConfig: { ms: 3000 }, retryLimit: 3 },
        { name: 'after', handler: 'test.noop', dependsOn: ['long_call'] },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'slow', context: {} });
    const doomed = startWorker(database.url!, recordFile);
    await waitFor(async () => readRecords(recordFile).some((run) => run.phase === 'start'), {
      timeoutMs: 30_000,
      what: 'the first attempt to start',
    });
    killWorker(doomed, 'SIGKILL');
    await doomed.exited;
    startWorker(database.url!, recordFile);
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'], 60_000)).toBe('complete');
    const attempts = await queryRows<{ number: number; outcome: string }>(
      db,
      sql`select a.number, a.outcome from step_attempts a join steps s on s.id = a.step_id where s.name = 'long_call' order by a.number`,
    );
    expect(attempts).toEqual([
      { number: 1, outcome: 'worker_lost' },
      { number: 2, outcome: 'complete' },
    ]);
    const runs = readRecords(recordFile).filter((run) => run.handler === 'test.sleep');
    expect(runs.map((run) => [run.attempt, run.phase])).toEqual([
      [1, 'start'],
      [2, 'start'],
      [2, 'end'],
    ]);
    expect(runs[0]!.pid).not.toBe(runs[1]!.pid);
  });

  it('a worker stopped with SIGTERM finishes the step it holds before it exits', async () => {
    await resetDatabase(database);
    recordFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-term-')), 'runs.ndjson');
    const { db } = database;
    await saveTestTemplate(db, { name: 'graceful', steps: [{ name: 'long_call', handler: 'test.sleep', handlerConfig: { ms: 1500 } }] });
    const { task } = await createTask(db, { namespace: 'tests', name: 'graceful', context: {} });
    const worker = startWorker(database.url!, recordFile);
    await waitFor(async () => readRecords(recordFile).some((run) => run.phase === 'start'), { timeoutMs: 30_000, what: 'the attempt to start' });
    killWorker(worker, 'SIGTERM');
    await worker.exited;
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'], 1000)).toBe('complete');
    const attempts = await queryRows<{ outcome: string }>(db, sql`select outcome from step_attempts`);
    expect(attempts).toEqual([{ outcome: 'complete' }]);
  });
});
