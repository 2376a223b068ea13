import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type Db } from '../../db/client';
import type { ServiceLimit } from '../../db/queries/service-limits';
import { describeEachDatabase, openTestDatabase, resetDatabase, type TestDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { holdService } from '../actions/hold-service';
import { releaseService } from '../actions/release-service';
import { defaultHandlerRegistry } from '../handlers/index';
import type { ServiceSetup } from '../reads/list-services';
import { findWaitingReasons } from '../reads/waiting-reason-sql';
import { createServiceCallerFactory } from '../runtime/host';
import { KNOWN_SERVICE_NAMES, resolveServiceUrls } from '../services/service-registry';
import { setUpDemoServicesForTests } from '../testing/demo-services-testing';
import { saveTestTemplate, waitFor, waitForTaskStatus } from '../testing/task-testing';
import { startOrchestrator } from './runner';

const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const testServices = setUpDemoServicesForTests();
const running = testServices.running;

/** A call to billing, and one to preferences followed by a step that needs it: two branches. */
const billingCall = { service: 'billing', method: 'GET', path: '/plans/pro' } as const;
const preferencesCall = { service: 'preferences', method: 'GET', path: '/defaults' } as const;

/** Calls started in the busiest window of `windowMs` (each window starting at a call). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) {
      j++;
    }
    busiest = Math.max(busiest, j - i);
  }
  return busiest;
}

describeEachDatabase('service controls: holds and limits', (suite) => {
  const setup = (): ServiceSetup => ({
    serviceNames: [...KNOWN_SERVICE_NAMES],
    serviceUrls: resolveServiceUrls({ env: {}, demoServicesUrl: testServices.demo.url }),
    demoServices: testServices.demo,
  });

  async function start(serviceLimits: ServiceLimit[] = []) {
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers,
      createServiceCaller: createServiceCallerFactory(setup().serviceUrls),
      concurrency: 10,
      pollIntervalMs: 50,
      shutdownGraceMs: 100,
      circuitBreaker: false,
      serviceLimits,
    });
    running.push(orchestrator);
    return orchestrator;
  }

  async function saveBranchesTemplate(db: Db) {
    await saveTestTemplate(db, {
      name: 'branches',
      steps: [
        { name: 'charge', handler: 'http', service: 'billing', handlerConfig: billingCall },
        { name: 'preferences', handler: 'http', service: 'preferences', handlerConfig: preferencesCall },
        { name: 'after_preferences', handler: 'test.noop', dependsOn: ['preferences'] },
      ],
    });
  }

  async function stepsOf(db: Db, taskId: number) {
    const rows = await queryRows<{ name: string; status: string; attempts: number }>(
      db,
      sql`select name, status, attempts from steps where task_id = ${taskId} order by position`,
    );
    return Object.fromEntries(rows.map((row) => [row.name, { status: row.status, attempts: row.attempts }]));
  }

  function billingCalls(): number[] {
    return testServices.demo.state.services.billing.callLog.map((call) => Date.parse(call.at));
  }

  it("a held service's steps keep 0 attempts while other branches go on; release → complete", async () => {
    const { db } = suite.database;
    await saveBranchesTemplate(db);
    const held = await holdService(db, setup(), { service: 'billing', reason: 'billing deploy', actor: 'ops@example.com' });
    expect(held.hold).toMatchObject({ reason: 'billing deploy', held_by: 'ops@example.com' });
    const { task } = await createTask(db, { namespace: 'tests', name: 'branches', context: {} });
    await start();
    await waitFor(async () => (await stepsOf(db, task.id)).after_preferences?.status === 'complete', { what: 'the other branch to finish' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await stepsOf(db, task.id)).charge).toEqual({ status: 'ready', attempts: 0 });
    expect(testServices.demo.state.services.billing.calls).toBe(0);
    // The task page says why: "waiting: billing is held".
    expect([...(await findWaitingReasons(db, task.id)).values()]).toEqual([expect.objectContaining({ kind: 'held', service: 'billing' })]);

    const released = await releaseService(db, setup(), { service: 'billing', reason: 'deploy done', actor: 'ops@example.com' });
    expect(released.hold).toBeNull();
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    expect((await stepsOf(db, task.id)).charge).toEqual({ status: 'complete', attempts: 1 });
    const events = await queryRows<{ action: string; reason: string; actor: string }>(
      db,
      sql`select action, reason, actor from service_hold_events where service = 'billing' order by id`,
    );
    expect(events).toEqual([
      { action: 'hold', reason: 'billing deploy', actor: 'ops@example.com' },
      { action: 'release', reason: 'deploy done', actor: 'ops@example.com' },
    ]);
  });

  it('a hold survives a new runner (a restart); its waiting steps start spread out on release', async () => {
    const { db } = suite.database;
    await saveBranchesTemplate(db);
    await holdService(db, setup(), { service: 'billing', reason: 'quota reached', actor: 'ops' });
    const tasks: { id: number }[] = [];
    for (let i = 0; i < 4; i++) {
      tasks.push((await createTask(db, { namespace: 'tests', name: 'branches', context: { i } })).task);
    }
    const first = await start();
    await waitFor(async () => (await stepsOf(db, tasks[3]!.id)).after_preferences?.status === 'complete', { what: 'the other branches' });
    await first.stop();
    const second = await start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await second.stop();
    expect(testServices.demo.state.services.billing.calls).toBe(0);
    const [waiting] = await queryRows<{ count: number; attempts: number }>(
      db,
      sql`select count(*)::int as count, sum(attempts)::int as attempts from steps where name = 'charge' and status = 'ready'`,
    );
    expect(waiting).toEqual({ count: 4, attempts: 0 });

    await releaseService(db, setup(), { service: 'billing', actor: 'ops' });
    // Released 100 ms apart (HOLD_RELEASE_SPREAD_MS), not in one instant.
    const runAt = await queryRows<{ offset_ms: number }>(
      db,
      sql`select (extract(epoch from run_at - min(run_at) over ()) * 1000)::int as offset_ms from steps where name = 'charge' order by run_at`,
    );
    expect(runAt.map((row) => row.offset_ms)).toEqual([0, 100, 200, 300]);
    await start();
    for (const task of tasks) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    expect(billingCalls()).toHaveLength(4);
  });

  it('hold and release refuse what does not fit: an unknown service, a second hold, a release of a service not held', async () => {
    const { db } = suite.database;
    await expect(holdService(db, setup(), { service: 'nope', reason: 'x', actor: 'ops' })).rejects.toMatchObject({ code: 'not_found' });
    await holdService(db, setup(), { service: 'billing', reason: 'first', actor: 'ann' });
    await expect(holdService(db, setup(), { service: 'billing', reason: 'second', actor: 'bob' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('first') as string,
    });
    await expect(releaseService(db, setup(), { service: 'user', actor: 'ops' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(releaseService(db, setup(), { service: 'nope', actor: 'ops' })).rejects.toMatchObject({ code: 'not_found' });
    const holds = await queryRows<{ service: string; reason: string; held_by: string }>(db, sql`select service, reason, held_by from service_holds`);
    expect(holds).toEqual([{ service: 'billing', reason: 'first', held_by: 'ann' }]);
    const [events] = await queryRows<{ count: number }>(db, sql`select count(*)::int as count from service_hold_events`);
    expect(events!.count).toBe(1);
  });

  it('a rate limit of 2/s: never more than 2 calls start in any second, and no attempt is spent waiting', async () => {
    const { db } = suite.database;
    await saveBranchesTemplate(db);
    const tasks: { id: number }[] = [];
    for (let i = 0; i < 7; i++) {
      tasks.push((await createTask(db, { namespace: 'tests', name: 'branches', context: { i } })).task);
    }
    await start([{ service: 'billing', ratePerSecond: 2, maxConcurrency: null }]);
    // A step waiting for its turn says so, with when it may go.
    const waiting = await waitFor(
      async () => {
        for (const task of tasks) {
          const reason = [...(await findWaitingReasons(db, task.id)).values()].find((entry) => entry.kind === 'rate_limited');
          if (reason) {
            return reason;
          }
        }
        return undefined;
      },
      { what: 'a step waiting on the rate limit' },
    );
    expect(waiting).toMatchObject({ kind: 'rate_limited', service: 'billing', until: expect.any(String) as string });
    for (const task of tasks) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    // Counted where the limit is kept, at the claims: in this one process the embedded database shares the
    // thread with the demo service, which can note a call's arrival late (the two-process test below counts
    // the service's own log).
    const claims = await queryRows<{ at: number }>(
      db,
      sql`select (extract(epoch from a.started_at) * 1000)::float8 as at from step_attempts a join steps s on s.id = a.step_id where s.name = 'charge'`,
    );
    expect(
      busiestWindow(
        claims.map((claim) => Number(claim.at)),
        1000,
      ),
    ).toBeLessThanOrEqual(2);
    const starts = billingCalls();
    expect(starts).toHaveLength(7);
    // Unlimited preferences went at once; billing took its time (7 calls at 2/s: at least 3 s).
    expect(starts[6]! - starts[0]!).toBeGreaterThanOrEqual(3000);
    const [attempts] = await queryRows<{ attempts: number; failed: number }>(
      db,
      sql`select count(*)::int as attempts, count(*) filter (where outcome <> 'complete')::int as failed from step_attempts a
          join steps s on s.id = a.step_id where s.name = 'charge'`,
    );
    expect(attempts).toEqual({ attempts: 7, failed: 0 });
  });

  it("steps waiting for a limited service's call to end do not hold up other services' steps", async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'billing_only',
      steps: [{ name: 'charge', handler: 'http', service: 'billing', handlerConfig: billingCall }],
    });
    await saveTestTemplate(db, {
      name: 'preferences_only',
      steps: [{ name: 'preferences', handler: 'http', service: 'preferences', handlerConfig: preferencesCall }],
    });
    testServices.demo.state.configure('billing', { mode: 'slow', latency_ms: 300 });
    // The oldest ready steps are billing's: ten of them, more than the free slots.
    for (let i = 0; i < 12; i++) {
      await createTask(db, { namespace: 'tests', name: 'billing_only', context: { i } });
    }
    const others: { id: number }[] = [];
    for (let i = 0; i < 3; i++) {
      others.push((await createTask(db, { namespace: 'tests', name: 'preferences_only', context: { i } })).task);
    }
    await start([{ service: 'billing', ratePerSecond: null, maxConcurrency: 1 }]);
    for (const task of others) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    // Done while billing's first call (300 ms) or second was still running, not after billing's queue.
    expect(testServices.demo.state.services.billing.callLog.length).toBeLessThanOrEqual(2);
  });

  it('a concurrency limit of 1: calls never overlap', async () => {
    const { db } = suite.database;
    await saveBranchesTemplate(db);
    testServices.demo.state.configure('billing', { mode: 'slow', latency_ms: 150 });
    const tasks: { id: number }[] = [];
    for (let i = 0; i < 5; i++) {
      tasks.push((await createTask(db, { namespace: 'tests', name: 'branches', context: { i } })).task);
    }
    await start([{ service: 'billing', ratePerSecond: null, maxConcurrency: 1 }]);
    for (const task of tasks) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    const starts = billingCalls().sort((a, b) => a - b);
    expect(starts).toHaveLength(5);
    for (let i = 1; i < starts.length; i++) {
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(148);
    }
    const overlapping = await queryRows<{ step_id: number }>(
      db,
      sql`select a.step_id from step_attempts a join steps s on s.id = a.step_id
          join step_attempts b on b.step_id <> a.step_id join steps t on t.id = b.step_id
          where s.service = 'billing' and t.service = 'billing' and b.started_at > a.started_at and b.started_at < a.finished_at`,
    );
    expect(overlapping).toEqual([]);
    const [charged] = await queryRows<{ attempts: number }>(db, sql`select sum(attempts)::int as attempts from steps where name = 'charge'`);
    expect(charged!.attempts).toBe(5);
  });
});

type WorkerProcess = { process: ChildProcess; exited: Promise<number | null> };

// Several processes sharing one database need a real PostgreSQL: an embedded PGlite has one owner.
describe.skipIf(!process.env.TEST_DATABASE_URL)('service controls kept by two worker processes on one PostgreSQL', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    return () => database.close();
  });
  beforeEach(async () => {
    await resetDatabase(database);
    await saveTestTemplate(database.db, {
      name: 'billing_call',
      steps: [{ name: 'charge', handler: 'http', service: 'billing', handlerConfig: billingCall }],
    });
    await saveTestTemplate(database.db, {
      name: 'warm_up',
      steps: [{ name: 'warm_up', handler: 'http', service: 'preferences', handlerConfig: preferencesCall }],
    });
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      if (worker.process.pid && worker.process.exitCode === null) {
        process.kill(-worker.process.pid, 'SIGKILL');
      }
      await worker.exited;
    }
  });

  function startWorker(extraEnv: Record<string, string> = {}) {
    // node itself (not npx → tsx → node), so that the kill reaches the worker.
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run-worker.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: database.url!,
        DEMO_SERVICES: 'off',
        DEMO_SERVICES_PORT: String(testServices.demo.port),
        WORKER_CONCURRENCY: '10',
        POLL_INTERVAL_MS: '100',
        LOG_LEVEL: 'warn',
        ...extraEnv,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    workers.push({ process: child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) });
  }

  /**
   * Starts the two workers and waits until each has made a call (to preferences): a process's first call
   * takes 100 ms or more to leave it (Node.js loads its HTTP client then), more than the rate limit
   * allows for differences between claim and arrival (RATE_WINDOW_ALLOWANCE_SECONDS).
   */
  async function startWarmWorkers(extraEnv: Record<string, string> = {}) {
    startWorker(extraEnv);
    startWorker(extraEnv);
    // Batches of calls that take a while, until each worker has made one (one may start well before the other).
    testServices.demo.state.configure('preferences', { mode: 'slow', latency_ms: 100 });
    await waitFor(
      async () => {
        for (let i = 0; i < 20; i++) {
          await createTask(database.db, { namespace: 'tests', name: 'warm_up', context: { i } });
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        const [row] = await queryRows<{ workers: number }>(database.db, sql`select count(distinct worker_id)::int as workers from step_attempts`);
        return row!.workers === 2;
      },
      { timeoutMs: 60_000, intervalMs: 0, what: 'both workers to make a call' },
    );
    await waitFor(
      async () => {
        const [row] = await queryRows<{ open: number }>(database.db, sql`select count(*)::int as open from tasks where status <> 'complete'`);
        return row!.open === 0;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the warm-up calls to finish' },
    );
    await queryRows(database.db, sql`truncate step_attempts`);
  }

  async function createCalls(count: number) {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      ids.push((await createTask(database.db, { namespace: 'tests', name: 'billing_call', context: { i } })).task.id);
    }
    return ids;
  }

  async function waitForAll(ids: number[]) {
    for (const id of ids) {
      expect(await waitForTaskStatus(database.db, id, ['complete', 'error'], 60_000)).toBe('complete');
    }
  }

  async function chargeAttempts() {
    const [row] = await queryRows<{ attempts: number; failed: number }>(
      database.db,
      sql`select count(*)::int as attempts, count(*) filter (where outcome <> 'complete')::int as failed from step_attempts`,
    );
    return row;
  }

  it('at 2/s the two never start more than 2 calls in any second, and spend no attempt waiting', async () => {
    await startWarmWorkers({ SERVICE_BILLING_RATE_PER_SECOND: '2' });
    const ids = await createCalls(9);
    await waitForAll(ids);
    const starts = testServices.demo.state.services.billing.callLog.map((call) => Date.parse(call.at));
    expect(starts).toHaveLength(9);
    expect(busiestWindow(starts, 1000)).toBeLessThanOrEqual(2);
    expect(await chargeAttempts()).toEqual({ attempts: 9, failed: 0 });
    const workersUsed = await queryRows<{ workers: number }>(database.db, sql`select count(distinct worker_id)::int as workers from step_attempts`);
    expect(workersUsed[0]!.workers).toBe(2);
  });

  it('with a concurrency of 1 the two never overlap two calls', async () => {
    testServices.demo.state.configure('billing', { mode: 'slow', latency_ms: 150 });
    await startWarmWorkers({ SERVICE_BILLING_MAX_CONCURRENCY: '1' });
    const ids = await createCalls(8);
    await waitForAll(ids);
    const starts = testServices.demo.state.services.billing.callLog.map((call) => Date.parse(call.at)).sort((a, b) => a - b);
    expect(starts).toHaveLength(8);
    for (let i = 1; i < starts.length; i++) {
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(148);
    }
    expect(await chargeAttempts()).toEqual({ attempts: 8, failed: 0 });
  });

  it('the two respect one hold: no call and no attempt until it is released', async () => {
    const setup: ServiceSetup = { serviceNames: [...KNOWN_SERVICE_NAMES], serviceUrls: {}, demoServices: undefined };
    await holdService(database.db, setup, { service: 'billing', reason: 'billing deploy', actor: 'ops' });
    await startWarmWorkers();
    const ids = await createCalls(6);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(testServices.demo.state.services.billing.calls).toBe(0);
    expect(await chargeAttempts()).toEqual({ attempts: 0, failed: 0 });
    await releaseService(database.db, setup, { service: 'billing', actor: 'ops' });
    await waitForAll(ids);
    expect(await chargeAttempts()).toEqual({ attempts: 6, failed: 0 });
  });
});
