import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { defaultHandlerRegistry } from '../handlers/index';
import { saveTestTemplate, waitFor, waitForTaskStatus } from '../testing/task-testing';
import { startOrchestrator, type Orchestrator, type OrchestratorOptions } from './runner';

/**
 * WORKER_LOCAL_QUEUE_SIZE: an orchestrator claims up to concurrency + localQueueSize steps at once;
 * those beyond its free slots wait in its local queue, in progress and leased, and start as slots
 * free. What must hold: never more running at once than the concurrency, each step's handler run
 * once, leases kept while steps wait, and a stopping process hands back what it never started.
 */
const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const running: Orchestrator[] = [];
let recordFile: string;

beforeEach(() => {
  recordFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-local-queue-')), 'runs.ndjson');
  process.env.SWITCHYARD_TEST_RECORD_FILE = recordFile;
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
  delete process.env.SWITCHYARD_TEST_RECORD_FILE;
});

type Run = { handler: string; phase: 'start' | 'end'; step: number; attempt: number; at: number };

function readRuns(): Run[] {
  return fs.existsSync(recordFile)
    ? fs
        .readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Run)
    : [];
}

/** The most handler runs that were going on at one instant. */
function mostAtOnce(runs: Run[]): number {
  let now = 0;
  let most = 0;
  for (const run of [...runs].sort((a, b) => a.at - b.at || (a.phase === 'end' ? -1 : 1))) {
    now += run.phase === 'start' ? 1 : -1;
    most = Math.max(most, now);
  }
  return most;
}

describeEachDatabase('local queue (WORKER_LOCAL_QUEUE_SIZE)', (suite) => {
  async function start(options: Partial<OrchestratorOptions>) {
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers,
      pollIntervalMs: 50,
      leaseSeconds: 10,
      shutdownGraceMs: 5000,
      ...options,
    });
    running.push(orchestrator);
    return orchestrator;
  }

  async function inProgressSteps(): Promise<number> {
    const [row] = await queryRows<{ n: number }>(suite.database.db, sql`select count(*)::int as n from steps where status = 'in_progress'`);
    return row?.n ?? 0;
  }

  it('claims ahead into the queue, never runs more than the concurrency at once, and runs each step once', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, { name: 'one_sleep', steps: [{ name: 'work', handler: 'test.sleep', handlerConfig: { ms: 60 } }] });
    const tasks = [];
    for (let n = 0; n < 16; n += 1) {
      tasks.push((await createTask(db, { namespace: 'tests', name: 'one_sleep', context: { n } })).task);
    }
    await start({ concurrency: 2, localQueueSize: 6 });
    // Claimed ahead: more steps in progress than run at once (2 running, up to 6 waiting).
    const mostInProgress = await waitFor(async () => {
      const n = await inProgressSteps();
      return n > 2 ? n : undefined;
    });
    expect(mostInProgress).toBeLessThanOrEqual(8);
    for (const task of tasks) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    const runs = readRuns().filter((run) => run.handler === 'test.sleep');
    expect(mostAtOnce(runs)).toBeLessThanOrEqual(2);
    expect(runs.filter((run) => run.phase === 'start')).toHaveLength(16);
    expect(new Set(runs.filter((run) => run.phase === 'start').map((run) => run.step)).size).toBe(16);
    const [attempts] = await queryRows<{ n: number; complete: number }>(
      db,
      sql`select count(*)::int as n, (count(*) filter (where outcome = 'complete'))::int as complete from step_attempts`,
    );
    expect(attempts).toEqual({ n: 16, complete: 16 });
  });

  it('keeps the leases of queued steps: waiting longer than the lease, no step is reclaimed or run twice', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, { name: 'slow_one', steps: [{ name: 'work', handler: 'test.sleep', handlerConfig: { ms: 700 } }] });
    const tasks = [];
    for (let n = 0; n < 4; n += 1) {
      tasks.push((await createTask(db, { namespace: 'tests', name: 'slow_one', context: { n } })).task);
    }
    // One slot, three waiting: the last waits about 2.1 s, its lease is 1 s. A second process reclaims expired leases.
    await start({ concurrency: 1, localQueueSize: 3, leaseSeconds: 1 });
    await waitFor(async () => ((await inProgressSteps()) === 4 ? true : undefined));
    await start({ concurrency: 1, localQueueSize: 0, leaseSeconds: 1 });
    for (const task of tasks) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    const outcomes = await queryRows<{ outcome: string }>(db, sql`select outcome from step_attempts order by step_id, number`);
    expect(outcomes.map((row) => row.outcome)).toEqual(['complete', 'complete', 'complete', 'complete']);
    expect(readRuns().filter((run) => run.phase === 'start')).toHaveLength(4);
  });

  it('a stopping process hands back the queued steps it never started, uncounted; another process runs them', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'stop_one',
      steps: [{ name: 'work', handler: 'test.sleep', handlerConfig: { ms: 400 }, retryLimit: 1 }],
    });
    const tasks = [];
    for (let n = 0; n < 5; n += 1) {
      tasks.push((await createTask(db, { namespace: 'tests', name: 'stop_one', context: { n } })).task);
    }
    const first = await start({ concurrency: 1, localQueueSize: 4 });
    await waitFor(async () => ((await inProgressSteps()) === 5 ? true : undefined));
    await first.stop();
    // The running one finished within the grace period; the four queued ones never started.
    const starts = readRuns().filter((run) => run.phase === 'start');
    expect(starts).toHaveLength(1);
    const steps = await queryRows<{ status: string; attempts: number; round_start_attempts: number }>(
      db,
      sql`select status, attempts, round_start_attempts from steps order by id`,
    );
    expect(steps.filter((step) => step.status === 'complete')).toHaveLength(1);
    const handedBack = steps.filter((step) => step.status !== 'complete');
    expect(handedBack).toHaveLength(4);
    for (const step of handedBack) {
      expect(step.status).toBe('waiting_retry');
      // Not counted: with a retry limit of 1 the step may still run.
      expect(step.attempts - step.round_start_attempts).toBe(0);
    }
    const interrupted = await queryRows<{ error_code: string; error_message: string }>(
      db,
      sql`select error_code, error_message from step_attempts where outcome = 'interrupted'`,
    );
    expect(interrupted).toHaveLength(4);
    expect(interrupted[0]!.error_message).toMatch(/before the attempt started/);
    const [trail] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from transitions where from_status = 'in_progress' and to_status = 'waiting_retry'`,
    );
    expect(trail!.n).toBe(4);

    await start({ concurrency: 2 });
    for (const task of tasks) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    // Each handler ran once in all: the handed-back steps ran only in the second process.
    const allStarts = readRuns().filter((run) => run.phase === 'start');
    expect(allStarts).toHaveLength(5);
    expect(new Set(allStarts.map((run) => run.step)).size).toBe(5);
  });
});
