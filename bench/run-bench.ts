import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type Database } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import type { TemplateVersionRow } from '../db/schema';
import { createTask } from '../lib/actions/create-task';
import { registerTemplates } from '../lib/actions/register-templates';
import { startOrchestrator } from '../lib/engine/runner';
import { defaultHandlerRegistry } from '../lib/handlers/index';
import { logger } from '../lib/logger';
import { getTemplateVersionOrThrow } from '../lib/reads/get-template-version';
import { listServiceNames } from '../lib/services/service-registry';
import { explainHotPath, summarizeExplains } from './explain-hot-path';
import { createTaskBatchesInProcess, createTaskBatchesOverHttp } from './figures/batch-intake';
import { drainDiamonds, waitUntilDrained, type DrainResult } from './figures/drain-diamonds';
import { drainGraphileJobs, type PeerDrainResult } from './figures/graphile-worker-peer';
import { createTasksOverHttp, hasRoute, timeRequests, type TimedRequest } from './figures/http-api';
import { measureIdleLatency, summarizeLatency } from './figures/idle-latency';
import { countOldTasks, drainBesideOldTasks, seedOldFinishedTasks } from './figures/retention-impact';
import { HELP, parseBenchArgs, type BenchOptions } from './lib/args';
import { countersBetween, readDatabaseCounters } from './lib/db-counters';
import {
  DIAMOND,
  DIAMOND_STEP_COUNT,
  LIMITED_SERVICE,
  LIMITED_SERVICE_ENV,
  NEVER_BINDING_LIMITS,
  saveDiamondTemplate,
  saveLimitedDiamondTemplate,
} from './lib/diamond';
import { describeMachine, FigureLog, renderTextTable, writeResultsFile, type Figure } from './lib/figures';
import { sleep, type ChildHandle } from './lib/processes';
import { createScratchDatabase, TRUNCATE_WORK_SQL, type ScratchDatabase } from './lib/scratch-database';
import { seedMillion } from './lib/seed-million';
import { seedPendingTasks } from './lib/seed-tasks';
import { median, round } from './lib/stats';
import { prepareBuild, samplePeak, startWebServer, type WebServer } from './lib/web-server';
import { startWorkerProcesses, stopWorkerProcesses } from './lib/worker-processes';

/**
 * `npm run bench`: the figures of issue 7 (see bench/README.md), printed as a table or, with --json,
 * one JSON object per figure. PostgreSQL figures need DATABASE_URL; the embedded ones always run.
 */
if (process.argv.includes('--help')) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (process.argv.includes('--two-web')) {
  // Its own figure and options (bench/figures/intake-two-web.ts): intake through 1 vs 2 web processes.
  const { measureIntakeTwoWeb } = await import('./figures/intake-two-web');
  process.exit(await measureIntakeTwoWeb(process.argv.slice(2)));
}
let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const serverUrl = process.env.DATABASE_URL?.trim() || undefined;
const log = new FigureLog(options.json);
const notes: string[] = [];
const quietLogger = logger.child({}, { level: 'warn' });
const startedAt = new Date();
const progress = (message: string) => process.stderr.write(`${message}\n`);

/** Graphile-worker's batching settings: the docs' starting point (local queue = concurrency + 1) and its best here. */
const PEER_MODES = [
  { key: 'default', label: 'graphile-worker 0.17.3, default settings', env: {} },
  {
    key: 'batched_11',
    label: 'graphile-worker, localQueue 11, completeJobBatchDelay 0',
    env: { GW_LOCAL_QUEUE_SIZE: '11', GW_COMPLETE_JOB_BATCH_DELAY: '0' },
  },
  {
    key: 'batched_500',
    label: 'graphile-worker, localQueue 500, completeJobBatchDelay 0',
    env: { GW_LOCAL_QUEUE_SIZE: '500', GW_COMPLETE_JOB_BATCH_DELAY: '0' },
  },
] as const;
const CONCURRENCY = 10;
const FIGURE_UNITS: Record<string, string> = {
  steps_per_second: 'steps/s',
  steps_per_second_with_service_limits: 'steps/s',
  graphile_worker_jobs_per_second: 'jobs/s',
  create_tasks_per_second: 'tasks/s',
  dashboard_query_ms: 'ms',
  server_rss_mb: 'MB',
};

function perStep(result: DrainResult) {
  return {
    worker_cpu_ms_per_step: result.cpu ? round(result.cpu.processesMs / result.steps, 3) : null,
    postgres_cpu_ms_per_step: result.cpu ? round(result.cpu.postgresMs / result.steps, 3) : null,
    transactions_per_step: result.counters ? round(result.counters.commits / result.steps, 3) : null,
    machine_busy_percent: result.cpu ? Math.round(result.cpu.machineBusyPercent) : null,
  };
}

function verdict(met: boolean): 'met' | 'missed' {
  return met ? 'met' : 'missed';
}

/** How the limits of --service-limits read in a figure's setting. */
const LIMITS_SETTING = `every step on service ${LIMITED_SERVICE} limited to ${NEVER_BINDING_LIMITS.ratePerSecond.toLocaleString('en-US')}/s and ${NEVER_BINDING_LIMITS.maxConcurrency.toLocaleString('en-US')} at once (never binding)`;

/** Fails the run unless the drainers took LIMITED_SERVICE's limits: a figure "with limits" must have had them. */
async function expectLimitsInPlace(database: Database): Promise<void> {
  const [row] = await queryRows<{ rate_per_second: number | null; max_concurrency: number | null }>(
    database.db,
    sql`select rate_per_second, max_concurrency from service_limit_usage where service = ${LIMITED_SERVICE}`,
  );
  if (row?.rate_per_second !== NEVER_BINDING_LIMITS.ratePerSecond || row.max_concurrency !== NEVER_BINDING_LIMITS.maxConcurrency) {
    throw new Error(`the drainers did not take the limits of service ${LIMITED_SERVICE} (service_limit_usage: ${JSON.stringify(row ?? null)})`);
  }
}

/** After a drain with limits: its claims recorded their starts in the service's usage row (they kept the limits). */
async function expectLimitsKept(database: Database): Promise<void> {
  const [row] = await queryRows<{ starts: number }>(
    database.db,
    sql`select coalesce(cardinality(recent_starts), 0)::int as starts from service_limit_usage where service = ${LIMITED_SERVICE}`,
  );
  if (!row || row.starts === 0) {
    throw new Error(`the drain with limits recorded no start in service ${LIMITED_SERVICE}'s usage: the claims did not keep its limits`);
  }
}

/** Before a drain with limits: no usage left from the one before (its step ids are reused after the truncate). */
async function clearLimitUsage(database: Database): Promise<void> {
  await database.db.execute(sql`delete from service_limit_usage`);
}

// ---------------------------------------------------------------- PostgreSQL: throughput and the peer
async function measurePostgresThroughput(scratch: ScratchDatabase, templateVersion: TemplateVersionRow, limitedTemplateVersion?: TemplateVersionRow) {
  const { database, url } = scratch;
  const ours = new Map<number, DrainResult[]>();
  const limited = new Map<number, DrainResult[]>();
  const peers = new Map<string, PeerDrainResult[]>();
  /** Drains with a local queue, by worker count and then queue size. */
  const queued = new Map<number, Map<number, DrainResult[]>>();
  const drainWithWorkers = async (count: number, analyze: boolean, withLimits = false, localQueueSize = 0) => {
    let workers: ChildHandle[] = [];
    return drainDiamonds(database, {
      templateVersion: withLimits && limitedTemplateVersion ? limitedTemplateVersion : templateVersion,
      tasks: options.tasks,
      analyze,
      startDrainers: async () => {
        if (withLimits) {
          await clearLimitUsage(database);
        }
        workers = await startWorkerProcesses(database.db, {
          url,
          count,
          concurrency: CONCURRENCY,
          extraEnv: {
            ...(withLimits ? LIMITED_SERVICE_ENV : {}),
            ...(localQueueSize > 0 ? { WORKER_LOCAL_QUEUE_SIZE: String(localQueueSize) } : {}),
          },
        });
        if (withLimits) {
          await expectLimitsInPlace(database);
        }
        return () => stopWorkerProcesses(workers);
      },
      drainerPids: () => workers.map((worker) => worker.pid),
    });
  };

  if (options.cold) {
    progress(`steps_per_second: 1 worker, ${options.tasks} diamonds into tables never analysed …`);
    const cold = await drainWithWorkers(1, false);
    log.add({
      figure: 'steps_per_second',
      value: round(cold.stepsPerSecond),
      unit: 'steps/s',
      db: 'postgres',
      setting: `1 worker process × ${CONCURRENCY}, tables never analysed (a burst on a fresh install)`,
      workers: 1,
      stats: 'cold',
      steps: cold.steps,
      ...perStep(cold),
    });
  }

  for (let repeat = 1; repeat <= options.repeat; repeat++) {
    for (const [index, count] of options.workers.entries()) {
      progress(`steps_per_second: ${count} worker(s), ${options.tasks} diamonds (round ${repeat}/${options.repeat}) …`);
      const result = await drainWithWorkers(count, true);
      if (result.tasksNotComplete > 0 || result.failedAttempts > 0) {
        notes.push(`drain with ${count} workers: ${result.tasksNotComplete} tasks not complete, ${result.failedAttempts} failed attempts`);
      }
      ours.set(count, [...(ours.get(count) ?? []), result]);
      for (const size of options.localQueues) {
        progress(`steps_per_second: ${count} worker(s), local queue ${size}, ${options.tasks} diamonds (round ${repeat}/${options.repeat}) …`);
        const withQueue = await drainWithWorkers(count, true, false, size);
        if (withQueue.tasksNotComplete > 0 || withQueue.failedAttempts > 0) {
          notes.push(
            `drain with ${count} workers, local queue ${size}: ${withQueue.tasksNotComplete} tasks not complete, ${withQueue.failedAttempts} failed attempts`,
          );
        }
        const bySize = queued.get(count) ?? new Map<number, DrainResult[]>();
        bySize.set(size, [...(bySize.get(size) ?? []), withQueue]);
        queued.set(count, bySize);
      }
      if (limitedTemplateVersion) {
        progress(`steps_per_second_with_service_limits: ${count} worker(s), ${options.tasks} diamonds on service ${LIMITED_SERVICE} …`);
        const withLimits = await drainWithWorkers(count, true, true);
        await expectLimitsKept(database);
        if (withLimits.tasksNotComplete > 0 || withLimits.failedAttempts > 0) {
          notes.push(
            `drain with limits, ${count} workers: ${withLimits.tasksNotComplete} tasks not complete, ${withLimits.failedAttempts} failed attempts`,
          );
        }
        limited.set(count, [...(limited.get(count) ?? []), withLimits]);
      }
      const peer = options.peer ? PEER_MODES[index % PEER_MODES.length] : undefined;
      if (peer) {
        progress(`  peer: ${peer.label}, ${options.tasks * DIAMOND_STEP_COUNT} jobs …`);
        Object.assign(process.env, peer.env);
        const peerResult = await drainGraphileJobs(database, {
          url,
          jobs: options.tasks * DIAMOND_STEP_COUNT,
          concurrency: CONCURRENCY,
          mode: peer.key === 'default' ? 'default' : 'batched',
        });
        peers.set(peer.key, [...(peers.get(peer.key) ?? []), peerResult]);
      }
    }
    // Every peer mode runs once per round even when there are fewer worker counts than modes.
    for (const peer of options.peer ? PEER_MODES.slice(options.workers.length) : []) {
      Object.assign(process.env, peer.env);
      const peerResult = await drainGraphileJobs(database, {
        url,
        jobs: options.tasks * DIAMOND_STEP_COUNT,
        concurrency: CONCURRENCY,
        mode: peer.key === 'default' ? 'default' : 'batched',
      });
      peers.set(peer.key, [...(peers.get(peer.key) ?? []), peerResult]);
    }
  }

  const medianOf = (results: readonly DrainResult[]) => median(results.map((result) => result.stepsPerSecond));
  for (const [count, results] of ours) {
    const best = results.reduce((a, b) => (a.stepsPerSecond > b.stepsPerSecond ? a : b));
    log.add({
      figure: 'steps_per_second',
      value: round(medianOf(results)),
      unit: 'steps/s',
      db: 'postgres',
      setting: `${count} worker process${count > 1 ? 'es' : ''} × ${CONCURRENCY}, median of ${results.length}`,
      workers: count,
      stats: 'analyzed',
      runs: results.map((result) => round(result.stepsPerSecond)),
      steps: best.steps,
      ...perStep(results[Math.floor(results.length / 2)] ?? best),
    });
  }
  for (const [count, bySize] of queued) {
    for (const [size, results] of bySize) {
      const middle = results[Math.floor(results.length / 2)] as DrainResult;
      log.add({
        figure: 'steps_per_second',
        value: round(medianOf(results)),
        unit: 'steps/s',
        db: 'postgres',
        setting: `${count} worker process${count > 1 ? 'es' : ''} × ${CONCURRENCY}, local queue ${size} (WORKER_LOCAL_QUEUE_SIZE), median of ${results.length}`,
        workers: count,
        local_queue: size,
        stats: 'analyzed',
        runs: results.map((result) => round(result.stepsPerSecond)),
        steps: middle.steps,
        ...perStep(middle),
      });
    }
  }
  for (const [count, results] of limited) {
    const middle = results[Math.floor(results.length / 2)] as DrainResult;
    const withLimits = medianOf(results);
    const without = medianOf(ours.get(count) ?? []);
    const workers = `${count} worker process${count > 1 ? 'es' : ''} × ${CONCURRENCY}`;
    log.add({
      figure: 'steps_per_second_with_service_limits',
      value: round(withLimits),
      unit: 'steps/s',
      db: 'postgres',
      setting: `${workers}, ${LIMITS_SETTING}, median of ${results.length}`,
      workers: count,
      runs: results.map((result) => round(result.stepsPerSecond)),
      steps: middle.steps,
      ...perStep(middle),
    });
    log.add({
      figure: 'service_limits_steps_per_second_ratio',
      value: round(withLimits / without, 2),
      unit: '×',
      db: 'postgres',
      setting: `${workers}: with limits / without (same run, drains interleaved)`,
      workers: count,
    });
  }
  const peerMedians = new Map<string, number>();
  for (const peer of PEER_MODES) {
    const results = peers.get(peer.key);
    if (!results) {
      continue;
    }
    const value = median(results.map((result) => result.jobsPerSecond));
    peerMedians.set(peer.key, value);
    const middle = results[Math.floor(results.length / 2)] as PeerDrainResult;
    log.add({
      figure: 'graphile_worker_jobs_per_second',
      value: round(value),
      unit: 'jobs/s',
      db: 'postgres',
      setting: `${peer.label}, 1 process × ${CONCURRENCY}, median of ${results.length}`,
      mode: peer.key,
      runs: results.map((result) => round(result.jobsPerSecond)),
      worker_cpu_ms_per_job: round(middle.cpu.processesMs / middle.jobs, 3),
      postgres_cpu_ms_per_job: round(middle.cpu.postgresMs / middle.jobs, 3),
      transactions_per_job: middle.counters ? round(middle.counters.commits / middle.jobs, 3) : null,
    });
  }
  const oneWorker = ours.get(1) ?? ours.get(options.workers[0] as number);
  if (oneWorker) {
    const ourValue = medianOf(oneWorker);
    const bestCount = [...ours.entries()].reduce((a, b) => (medianOf(a[1]) > medianOf(b[1]) ? a : b));
    for (const peer of PEER_MODES) {
      const theirs = peerMedians.get(peer.key);
      if (theirs === undefined) {
        continue;
      }
      const target = peer.key === 'default' ? 1 : 0.8;
      for (const [label, value] of [
        ['1 worker process', ourValue],
        [`best: ${bestCount[0]} worker processes`, medianOf(bestCount[1])],
      ] as const) {
        if (label.startsWith('best') && bestCount[0] === 1) {
          continue;
        }
        log.add({
          figure: 'steps_per_second_ratio',
          value: round(value / theirs, 2),
          unit: '×',
          db: 'postgres',
          setting: `ours (${label}) / ${peer.label}`,
          versus: peer.key,
          target: `≥ ${target}×`,
          verdict: verdict(value / theirs >= target),
        });
      }
    }
  }
  addLocalQueueRatios(queued, peerMedians);
}

/**
 * Issue 18's targets: one worker process × 10 with the smallest local queue measured ≥ 1× graphile-worker
 * with localQueue 11; our best (any worker count and local queue) ≥ 0.5× graphile-worker with localQueue 500.
 */
function addLocalQueueRatios(queued: ReadonlyMap<number, ReadonlyMap<number, DrainResult[]>>, peerMedians: ReadonlyMap<string, number>) {
  const medianOf = (results: readonly DrainResult[]) => median(results.map((result) => result.stepsPerSecond));
  const batched11 = peerMedians.get('batched_11');
  const smallest = Math.min(...options.localQueues);
  const oneWorker = queued.get(1)?.get(smallest);
  if (batched11 !== undefined && oneWorker) {
    const value = medianOf(oneWorker) / batched11;
    log.add({
      figure: 'steps_per_second_ratio',
      value: round(value, 2),
      unit: '×',
      db: 'postgres',
      setting: `ours (1 worker process, local queue ${smallest}) / graphile-worker, localQueue 11, completeJobBatchDelay 0`,
      versus: 'batched_11',
      local_queue: smallest,
      target: '≥ 1×',
      verdict: verdict(value >= 1),
    });
  }
  const batched500 = peerMedians.get('batched_500');
  const candidates = [...queued.entries()].flatMap(([count, bySize]) =>
    [...bySize.entries()].map(([size, results]) => ({ count, size, value: medianOf(results) })),
  );
  if (batched500 !== undefined && candidates.length > 0) {
    const best = candidates.reduce((a, b) => (a.value > b.value ? a : b));
    const value = best.value / batched500;
    log.add({
      figure: 'steps_per_second_ratio',
      value: round(value, 2),
      unit: '×',
      db: 'postgres',
      setting: `ours (best: ${best.count} worker process${best.count > 1 ? 'es' : ''}, local queue ${best.size}) / graphile-worker, localQueue 500, completeJobBatchDelay 0`,
      versus: 'batched_500',
      local_queue: best.size,
      target: '≥ 0.5×',
      verdict: verdict(value >= 0.5),
    });
  }
}

// ------------------------------------------------------------------------- latency on an idle system
async function measureLatencyFigures(database: Database, db: 'postgres' | 'pglite', startDrainer: () => Promise<() => Promise<void>>) {
  progress(`dependent_start_ms / task_latency_ms: ${options.latencyTasks} diamonds one at a time [${db}] …`);
  const stop = await startDrainer();
  try {
    const result = await measureIdleLatency(database, { tasks: options.latencyTasks });
    const dependent = summarizeLatency(result.dependentStartMs);
    const task = summarizeLatency(result.taskLatencyMs);
    const first = summarizeLatency(result.firstStartMs);
    const isPostgres = db === 'postgres';
    // A dependent claimed by the statement that records its last dependency opens its attempt in that
    // very statement: 0 ms by the database's clock (its handler starts when the statement returns).
    const claimedInStatement = result.dependentStartMs.filter((ms) => ms === 0).length;
    log.add({
      figure: 'dependent_start_ms',
      value: round(dependent.p50, 2),
      unit: 'ms',
      db,
      setting: `p50 over ${dependent.n} dependent steps (${round((100 * claimedInStatement) / Math.max(1, dependent.n), 0)}% claimed by the statement completing their last dependency)`,
      target: '≤ 3 ms',
      verdict: verdict(dependent.p50 <= 3),
    });
    log.add({ figure: 'dependent_start_ms', value: round(dependent.p95, 2), unit: 'ms', db, setting: `p95 over ${dependent.n} dependent steps` });
    log.add({
      figure: 'task_latency_ms',
      value: round(task.p50, 1),
      unit: 'ms',
      db,
      setting: `p50 over ${task.n} diamonds, created → complete`,
      ...(isPostgres ? { target: '≤ 25 ms', verdict: verdict(task.p50 <= 25) } : {}),
    });
    log.add({ figure: 'task_latency_ms', value: round(task.p95, 1), unit: 'ms', db, setting: `p95 over ${task.n} diamonds` });
    log.add({
      figure: 'first_step_start_ms',
      value: round(first.p50, 2),
      unit: 'ms',
      db,
      setting: `p50, task created → its first step starts (wake-up by NOTIFY)`,
    });
    const run = summarizeLatency(result.stepRunMs);
    log.add({
      figure: 'step_run_ms',
      value: round(run.p50, 2),
      unit: 'ms',
      db,
      setting: 'p50, a no-op step from its claim to the statement recording it',
    });
  } finally {
    await stop();
  }
}

// --------------------------------------------------------------------------------- HTTP and memory
type RouteSupport = { createTask: boolean; listTasks: boolean; failures: boolean; taskDetail: boolean };

let appDirectory: string | undefined;

async function measureHttpFigures(scratch: ScratchDatabase, templateVersion: TemplateVersionRow): Promise<RouteSupport | undefined> {
  const prepared = prepareBuild({ build: options.build });
  const reason = 'skipped' in prepared ? prepared.skipped : undefined;
  appDirectory = 'appDirectory' in prepared ? prepared.appDirectory : undefined;
  const httpFigures: Pick<Figure, 'figure' | 'unit' | 'db' | 'setting'>[] = [
    { figure: 'create_tasks_per_second', unit: 'tasks/s', db: 'postgres', setting: 'POST /api/v1/tasks, 8 concurrent clients' },
    { figure: 'server_rss_mb', unit: 'MB', db: 'postgres', setting: 'idle' },
  ];
  if (reason || !appDirectory) {
    for (const figure of httpFigures) {
      log.skip(figure, reason ?? 'no build');
    }
    return undefined;
  }
  const { db } = scratch.database;
  await db.execute(sql.raw(TRUNCATE_WORK_SQL));
  progress('server: next start (orchestrator on, test handlers) …');
  let server: WebServer;
  try {
    server = await startWebServer({
      appDirectory,
      databaseUrl: scratch.url,
      env: { ORCHESTRATOR: 'on', E2E: '1', WORKER_CONCURRENCY: String(CONCURRENCY) },
    });
  } catch (error) {
    for (const figure of httpFigures) {
      log.skip(figure, `next start failed: ${(error as Error).message.split('\n')[0]}`);
    }
    return undefined;
  }
  try {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    log.add({
      figure: 'server_rss_mb',
      value: round(server.rssBytes() / 1024 ** 2, 0),
      unit: 'MB',
      db: 'postgres',
      setting: 'idle, after start (next start + its orchestrator)',
    });

    const routes: RouteSupport = {
      createTask: await hasRoute(server.url, 'POST', '/api/v1/tasks', { namespace: DIAMOND.namespace, name: DIAMOND.name, context: { probe: true } }),
      listTasks: await hasRoute(server.url, 'GET', '/api/v1/tasks?limit=1'),
      failures: await hasRoute(server.url, 'GET', '/api/v1/failures'),
      taskDetail: await hasRoute(server.url, 'GET', '/api/v1/tasks/1'),
    };

    progress(`server: its orchestrator drains ${options.tasks} diamonds …`);
    await db.execute(sql.raw(TRUNCATE_WORK_SQL));
    const drainPeak = samplePeak(() => server.rssBytes());
    const drainStarted = performance.now();
    await seedPendingTasks(db, { templateVersion, count: options.tasks });
    await waitUntilDrained(db, { timeoutMs: 600_000 });
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    log.add({
      figure: 'server_rss_mb',
      value: round(drainPeak.stop() / 1024 ** 2, 0),
      unit: 'MB',
      db: 'postgres',
      setting: `peak while its orchestrator drains ${options.tasks} diamonds`,
    });
    log.add({
      figure: 'steps_per_second',
      value: round((options.tasks * DIAMOND_STEP_COUNT) / drainSeconds),
      unit: 'steps/s',
      db: 'postgres',
      setting: `the web process's own orchestrator × ${CONCURRENCY} (wall clock, incl. task creation)`,
      workers: 0,
    });

    if (!routes.createTask) {
      log.skip(httpFigures[0] as Figure, 'the route POST /api/v1/tasks does not exist yet');
    } else {
      await measureCreateOverHttp(scratch, server);
    }
    await measureBatchOverHttp(scratch, server);
    return routes;
  } finally {
    await server.stop();
  }
}

/** POST /api/v1/tasks: `httpTasks` diamonds, 8 concurrent clients on kept-alive connections, orchestrator on; the peak RSS meanwhile. */
async function measureCreateOverHttp(scratch: ScratchDatabase, server: WebServer) {
  const { db } = scratch.database;
  progress(`create_tasks_per_second: ${options.httpTasks} POST /api/v1/tasks from 8 clients …`);
  await db.execute(sql.raw(TRUNCATE_WORK_SQL));
  const peak = samplePeak(() => server.rssBytes());
  const result = await createTasksOverHttp(server.url, {
    clients: 8,
    total: options.httpTasks,
    ...DIAMOND,
    contextOf: (n) => ({ n, email: `bench${n}@example.com` }),
  });
  log.add({
    figure: 'create_tasks_per_second',
    value: round(result.tasksPerSecond),
    unit: 'tasks/s',
    db: 'postgres',
    setting: `POST /api/v1/tasks, 8 concurrent clients (kept-alive connections), ${options.httpTasks} tasks (orchestrator on)`,
    target: '≥ 1,000 (issue 18)',
    verdict: verdict(result.failures === 0 && result.tasksPerSecond >= 1000),
    request_p50_ms: round(result.p50Ms, 1),
    request_p95_ms: round(result.p95Ms, 1),
    failures: result.failures,
    connections: result.connections,
    ...(result.firstFailure ? { first_failure: result.firstFailure } : {}),
  });
  log.add({
    figure: 'server_rss_mb',
    value: round(peak.stop() / 1024 ** 2, 0),
    unit: 'MB',
    db: 'postgres',
    setting: 'peak under 8-client task creation',
  });
  await waitUntilDrained(db, { timeoutMs: 600_000 });
}

async function measureDirectCreate(database: Database, db: 'postgres' | 'pglite') {
  const total = options.quick ? 200 : 1000;
  progress(`create_tasks_per_second_direct: ${total} createTask() calls, 8 at a time [${db}] …`);
  await database.db.execute(sql.raw(TRUNCATE_WORK_SQL));
  const countersBefore = database.kind === 'postgres' ? (await sleep(1100), await readDatabaseCounters(database.db)) : undefined;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let n = next++; n < total; n = next++) {
        await createTask(database.db, { ...DIAMOND, context: { n } });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const counters = countersBefore ? (await sleep(1100), countersBetween(countersBefore, await readDatabaseCounters(database.db))) : undefined;
  log.add({
    figure: 'create_tasks_per_second_direct',
    value: round(total / seconds),
    ...(counters
      ? {
          transactions_per_task: round(counters.commits / total, 2),
          rows_written_per_task: round((counters.rowsInserted + counters.rowsUpdated) / total, 1),
        }
      : {}),
    unit: 'tasks/s',
    db,
    setting: 'createTask() in-process, 8 concurrent callers, no orchestrator (the floor under POST /tasks)',
  });
}

// ------------------------------------------------------------------------------- batch intake
const BATCH_CLIENTS = 2;

/** POST /api/v1/tasks/batch: `batchTasks` diamonds, `batchSize` a call, 2 concurrent clients, orchestrator on. */
async function measureBatchOverHttp(scratch: ScratchDatabase, server: WebServer) {
  const setting = `POST /api/v1/tasks/batch, ${options.batchSize} a call, ${BATCH_CLIENTS} concurrent clients, ${options.batchTasks} tasks (orchestrator on)`;
  if (!(await hasRoute(server.url, 'POST', '/api/v1/tasks/batch', { tasks: [] }))) {
    log.skip(
      { figure: 'create_tasks_per_second_batch', unit: 'tasks/s', db: 'postgres', setting },
      'the route POST /api/v1/tasks/batch does not exist yet',
    );
    return;
  }
  progress(`create_tasks_per_second_batch: ${options.batchTasks} tasks through POST /api/v1/tasks/batch …`);
  await scratch.database.db.execute(sql.raw(TRUNCATE_WORK_SQL));
  const result = await createTaskBatchesOverHttp(server.url, {
    clients: BATCH_CLIENTS,
    total: options.batchTasks,
    batchSize: options.batchSize,
    ...DIAMOND,
    contextOf: (n) => ({ n, email: `batch${n}@example.com` }),
  });
  log.add({
    figure: 'create_tasks_per_second_batch',
    value: round(result.tasksPerSecond),
    unit: 'tasks/s',
    db: 'postgres',
    setting,
    target: '≥ 5,000 (issue 18)',
    verdict: verdict(result.failures === 0 && result.tasksPerSecond >= 5000),
    call_p50_ms: round(result.p50Ms, 1),
    call_p95_ms: round(result.p95Ms, 1),
    failures: result.failures,
    ...(result.firstFailure ? { first_failure: result.firstFailure } : {}),
  });
  await waitUntilDrained(scratch.database.db, { timeoutMs: 600_000 });
}

/** createTasks() in-process, no orchestrator: the floor under POST /tasks/batch. */
async function measureDirectBatchCreate(database: Database, db: 'postgres' | 'pglite') {
  progress(`create_tasks_per_second_batch_direct: ${options.batchTasks} tasks, createTasks() of ${options.batchSize} [${db}] …`);
  await database.db.execute(sql.raw(TRUNCATE_WORK_SQL));
  const result = await createTaskBatchesInProcess(database, {
    clients: BATCH_CLIENTS,
    total: options.batchTasks,
    batchSize: options.batchSize,
    ...DIAMOND,
    contextOf: (n) => ({ n }),
  });
  log.add({
    figure: 'create_tasks_per_second_batch_direct',
    value: round(result.tasksPerSecond),
    unit: 'tasks/s',
    db,
    setting: `createTasks() in-process, ${options.batchSize} a call, ${BATCH_CLIENTS} concurrent callers, ${options.batchTasks} tasks, no orchestrator`,
    call_p50_ms: round(result.p50Ms, 1),
    call_p95_ms: round(result.p95Ms, 1),
  });
}

/**
 * `--batch-intake`: only the batch figures, on PGlite and (with DATABASE_URL) on PostgreSQL and over HTTP;
 * `--intake-only`: the same with createTask() and POST /api/v1/tasks too (one server for both).
 */
async function measureBatchIntakeOnly() {
  if (serverUrl) {
    const scratch = await createScratchDatabase(serverUrl, { prefix: 'switchyard_bench', keep: options.keepDb, maxConnections: 10 });
    try {
      await saveDiamondTemplate(scratch.database.db);
      if (options.intakeOnly) {
        await measureDirectCreate(scratch.database, 'postgres');
      }
      await measureDirectBatchCreate(scratch.database, 'postgres');
      const prepared = options.http ? prepareBuild({ build: options.build }) : { skipped: '--no-http' };
      if ('appDirectory' in prepared && prepared.appDirectory) {
        // Empty before the server starts: its orchestrator would take up the direct figures' tasks, and
        // a TRUNCATE while it writes them can deadlock with it.
        await scratch.database.db.execute(sql.raw(TRUNCATE_WORK_SQL));
        const server = await startWebServer({
          appDirectory: prepared.appDirectory,
          databaseUrl: scratch.url,
          env: { ORCHESTRATOR: 'on', E2E: '1', WORKER_CONCURRENCY: String(CONCURRENCY) },
        });
        try {
          if (options.intakeOnly) {
            await measureCreateOverHttp(scratch, server);
          }
          await measureBatchOverHttp(scratch, server);
        } finally {
          await server.stop();
          fs.rmSync(prepared.appDirectory, { recursive: true, force: true });
        }
      } else {
        log.skip({ figure: 'create_tasks_per_second_batch', unit: 'tasks/s', db: 'postgres' }, 'skipped' in prepared ? prepared.skipped : 'no build');
      }
    } finally {
      await scratch.close();
    }
  }
  if (options.pglite) {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-pglite-'));
    const database = await openDatabase({ dataDir: directory });
    try {
      await migrateDatabase(database);
      await saveDiamondTemplate(database.db);
      if (options.intakeOnly) {
        await measureDirectCreate(database, 'pglite');
      }
      await measureDirectBatchCreate(database, 'pglite');
    } finally {
      await database.close();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------------------------- retention
/**
 * Steps/s of one worker process while its RETENTION_DAYS purge removes `retentionTasks` old finished
 * tasks, against the same drain beside the same old tasks without it (first), in one run.
 */
async function measureRetentionImpact(scratch: ScratchDatabase, templateVersion: TemplateVersionRow) {
  const { database, url } = scratch;
  const { db } = database;
  progress(`retention: seeding ${options.retentionTasks} tasks finished 40 days ago …`);
  await db.execute(sql.raw(TRUNCATE_WORK_SQL));
  await seedOldFinishedTasks(db, { templateVersion, count: options.retentionTasks, onProgress: progress });
  const drain = (extraEnv: Record<string, string>) =>
    drainBesideOldTasks(database, {
      templateVersion,
      tasks: options.tasks,
      startDrainers: async () => {
        const workers = await startWorkerProcesses(db, { url, count: 1, concurrency: CONCURRENCY, extraEnv });
        return () => stopWorkerProcesses(workers);
      },
    });
  progress(`retention: 1 worker drains ${options.tasks} diamonds beside them, no retention …`);
  const without = await drain({});
  const oldBefore = await countOldTasks(db);
  progress(`retention: the same with RETENTION_DAYS=30 purging them …`);
  const withRetention = await drain({ RETENTION_DAYS: '30' });
  const removed = oldBefore - (await countOldTasks(db));
  const ratio = without.stepsPerSecond > 0 ? withRetention.stepsPerSecond / without.stepsPerSecond : 0;
  log.add({
    figure: 'steps_per_second_during_retention',
    value: round(ratio, 2),
    unit: '×',
    db: 'postgres',
    setting: `1 worker process × ${CONCURRENCY}, ${options.tasks} diamonds, while its RETENTION_DAYS purge runs (500 tasks a transaction) over ${options.retentionTasks} old finished tasks, ÷ the same drain without it; ${removed} removed by the end of the drain`,
    target: '≥ 0.8× (issue 18: less than 20% lower)',
    verdict: verdict(ratio >= 0.8),
    steps_per_second_without: round(without.stepsPerSecond),
    steps_per_second_with: round(withRetention.stepsPerSecond),
    old_tasks_removed: removed,
  });
}

/** `--retention-only`: only steps_per_second_during_retention (PostgreSQL). */
/** `--service-limits-only`: the steps/s drains with and without limits, on PostgreSQL (with DATABASE_URL); its version. */
async function measureServiceLimitsOnly(): Promise<string | undefined> {
  if (!serverUrl) {
    log.skip({ figure: 'steps_per_second_with_service_limits', unit: 'steps/s', db: 'postgres' }, 'needs DATABASE_URL=postgres://…');
    return undefined;
  }
  const scratch = await createScratchDatabase(serverUrl, { prefix: 'switchyard_bench', keep: options.keepDb, maxConnections: 10 });
  progress(`PostgreSQL: scratch database ${scratch.name}`);
  try {
    const [version] = await queryRows<{ server_version: string }>(scratch.database.db, sql`show server_version`);
    const { db } = scratch.database;
    await measurePostgresThroughput(scratch, await saveDiamondTemplate(db), await saveLimitedDiamondTemplate(db));
    return version?.server_version;
  } finally {
    await scratch.close();
  }
}

/** --local-queue-only: the steps/s drains without and with the local queue, and graphile-worker, on PostgreSQL. */
async function measureLocalQueueOnly(): Promise<string | undefined> {
  if (!serverUrl) {
    log.skip({ figure: 'steps_per_second', unit: 'steps/s', db: 'postgres' }, 'needs DATABASE_URL=postgres://…');
    return undefined;
  }
  const scratch = await createScratchDatabase(serverUrl, { prefix: 'switchyard_bench', keep: options.keepDb, maxConnections: 10 });
  progress(`PostgreSQL: scratch database ${scratch.name}`);
  try {
    const [version] = await queryRows<{ server_version: string }>(scratch.database.db, sql`show server_version`);
    await measurePostgresThroughput(scratch, await saveDiamondTemplate(scratch.database.db));
    return version?.server_version;
  } finally {
    await scratch.close();
  }
}

async function measureRetentionOnly() {
  if (!serverUrl) {
    log.skip({ figure: 'steps_per_second_during_retention', unit: '×', db: 'postgres' }, 'needs DATABASE_URL=postgres://…');
    return;
  }
  const scratch = await createScratchDatabase(serverUrl, { prefix: 'switchyard_bench', keep: options.keepDb, maxConnections: 10 });
  try {
    await measureRetentionImpact(scratch, await saveDiamondTemplate(scratch.database.db));
  } finally {
    await scratch.close();
  }
}

// ------------------------------------------------------------------------------ a million tasks
async function measureMillion(routes: RouteSupport | undefined) {
  const figures = ['list', 'failures', 'detail'];
  if (!serverUrl) {
    return;
  }
  if (!routes || !appDirectory) {
    log.skip(
      { figure: 'dashboard_query_ms', unit: 'ms', db: 'postgres', setting: `at ${options.millionTasks.toLocaleString('en-US')} tasks` },
      'the HTTP server could not be started',
    );
    return;
  }
  if (!routes.listTasks && !routes.failures && !routes.taskDetail) {
    log.skip(
      { figure: 'dashboard_query_ms', unit: 'ms', db: 'postgres', setting: `at ${options.millionTasks.toLocaleString('en-US')} tasks` },
      `none of GET /api/v1/tasks, /failures, /tasks/{id} exists yet (nothing seeded: ${figures.join(', ')})`,
    );
    return;
  }
  const scratch = await createScratchDatabase(serverUrl, {
    prefix: 'switchyard_bench_million',
    keep: options.keepDb,
    adopt: options.millionDb,
    maxConnections: 4,
  });
  try {
    const { db } = scratch.database;
    const [existing] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from tasks`);
    let count = existing?.n ?? 0;
    if (!options.millionDb || count === 0) {
      const diamond = await saveDiamondTemplate(db);
      await registerTemplates(db, {
        directories: ['templates'],
        handlers: defaultHandlerRegistry({ withTestHandlers: true }),
        services: listServiceNames(process.env),
      });
      const registration = await getTemplateVersionOrThrow(db, 'blog_examples', 'user_registration');
      progress(`seeding ${options.millionTasks.toLocaleString('en-US')} tasks into ${scratch.name} …`);
      const seeded = await seedMillion(db, { count: options.millionTasks, registration, diamond, onProgress: (message) => progress(`  ${message}`) });
      count = options.millionTasks;
      log.add({
        figure: 'seed_seconds',
        value: round(seeded.seconds),
        unit: 's',
        db: 'postgres',
        setting: `INSERT … SELECT generate_series of ${count.toLocaleString('en-US')} tasks + indexes + VACUUM ANALYZE`,
        rows: seeded.rows,
      });
    }
    const at = `at ${count.toLocaleString('en-US')} tasks`;
    const server = await startWebServer({ appDirectory: appDirectory, databaseUrl: scratch.url, env: { ORCHESTRATOR: 'off', E2E: '1' } });
    try {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      log.add({
        figure: 'server_rss_mb',
        value: round(server.rssBytes() / 1024 ** 2, 0),
        unit: 'MB',
        db: 'postgres',
        setting: `idle, ${at} (orchestrator off)`,
      });
      const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
      const ids = Array.from({ length: 16 }, (_, n) => 1 + ((n * 2_654_435_761) % count));
      const emails = ids.filter((id) => id % 5 !== 0).map((id) => `user${id}@example${id % 100}.com`);
      const firstPage = routes.listTasks
        ? ((await (await fetch(`${server.url}/api/v1/tasks?status=complete&limit=50`)).json()) as { next_cursor?: string | null })
        : undefined;
      const requests: (TimedRequest & { kind: 'list' | 'failures' | 'detail' })[] = [
        { kind: 'list', label: 'GET /tasks (no filter)', paths: ['/api/v1/tasks?limit=50'] },
        { kind: 'list', label: 'GET /tasks?status=error', paths: ['/api/v1/tasks?status=error&limit=50'] },
        { kind: 'list', label: 'GET /tasks?status=in_progress', paths: ['/api/v1/tasks?status=in_progress&limit=50'] },
        {
          kind: 'list',
          label: 'GET /tasks?status=complete, page 2 (cursor)',
          paths: firstPage?.next_cursor ? [`/api/v1/tasks?status=complete&limit=50&cursor=${encodeURIComponent(firstPage.next_cursor)}`] : [],
        },
        { kind: 'list', label: 'GET /tasks?namespace=bench', paths: ['/api/v1/tasks?namespace=bench&limit=50'] },
        { kind: 'list', label: 'GET /tasks?namespace&name', paths: ['/api/v1/tasks?namespace=blog_examples&name=user_registration&limit=50'] },
        { kind: 'list', label: 'GET /tasks?step=setup_billing_profile', paths: ['/api/v1/tasks?step=setup_billing_profile&limit=50'] },
        { kind: 'list', label: 'GET /tasks?step_status=waiting_retry', paths: ['/api/v1/tasks?step_status=waiting_retry&limit=50'] },
        {
          kind: 'list',
          label: 'GET /tasks?step=send_welcome_sequence&step_status=error',
          paths: ['/api/v1/tasks?step=send_welcome_sequence&step_status=error&limit=50'],
        },
        {
          kind: 'list',
          label: 'GET /tasks?created_after&created_before (1 day)',
          paths: [5, 12, 20].map((d) => `/api/v1/tasks?created_after=${day(d + 1)}&created_before=${day(d)}&limit=50`),
        },
        {
          kind: 'list',
          label: 'GET /tasks?status=error&created_after (7 days)',
          paths: [`/api/v1/tasks?status=error&created_after=${day(7)}&limit=50`],
        },
        { kind: 'list', label: 'GET /tasks?q=<one e-mail>', paths: emails.map((email) => `/api/v1/tasks?q=${encodeURIComponent(email)}&limit=50`) },
        { kind: 'list', label: 'GET /tasks?q=example42.com (≈1% match)', paths: ['/api/v1/tasks?q=example42.com&limit=50'] },
        { kind: 'list', label: 'GET /tasks?q=<no match>', paths: ['/api/v1/tasks?q=nobody-at-all%40nowhere.example&limit=50'] },
        { kind: 'failures', label: 'GET /failures', paths: ['/api/v1/failures'] },
        { kind: 'detail', label: 'GET /tasks/{id}', paths: ids.map((id) => `/api/v1/tasks/${id}`) },
        { kind: 'detail', label: 'GET /tasks/{id}/transitions', paths: ids.map((id) => `/api/v1/tasks/${id}/transitions`) },
      ];
      const supported = requests.filter(
        (request) =>
          request.paths.length > 0 &&
          (request.kind === 'list' ? routes.listTasks : request.kind === 'failures' ? routes.failures : routes.taskDetail),
      );
      for (const request of requests.filter((request) => !supported.includes(request))) {
        log.skip({ figure: 'dashboard_query_ms', unit: 'ms', db: 'postgres', setting: `${request.label}, ${at}` }, 'the route does not exist yet');
      }
      progress(`dashboard queries ${at}: ${supported.length} kinds × ${options.queryRounds} requests …`);
      const peak = samplePeak(() => server.rssBytes());
      const timings = await timeRequests(server.url, supported, { rounds: options.queryRounds });
      for (const timing of timings) {
        const limit = timing.label === 'GET /failures' ? 200 : 50;
        if (timing.error) {
          log.skip({ figure: 'dashboard_query_ms', unit: 'ms', db: 'postgres', setting: `${timing.label}, ${at}` }, `answered ${timing.error}`);
          continue;
        }
        log.add({
          figure: 'dashboard_query_ms',
          value: round(timing.p95Ms, 1),
          unit: 'ms',
          db: 'postgres',
          setting: `p95 ${timing.label}, ${at} (p50 ${round(timing.p50Ms, 1)} ms)`,
          p50_ms: round(timing.p50Ms, 1),
          query: timing.label,
          requests: timing.n,
          target: `p95 ≤ ${limit} ms`,
          verdict: verdict(timing.p95Ms <= limit),
        });
      }
      log.add({
        figure: 'server_rss_mb',
        value: round(peak.stop() / 1024 ** 2, 0),
        unit: 'MB',
        db: 'postgres',
        setting: `peak under the dashboard queries, ${at}`,
      });
    } finally {
      await server.stop();
    }
    if (options.keepDb || options.millionDb) {
      notes.push(`the million-task database was kept: ${scratch.name} (reuse it with --million-db ${scratch.name})`);
    }
  } finally {
    await scratch.close();
  }
}

// ------------------------------------------------------------------------------------- PGlite
async function measurePglite() {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-pglite-'));
  progress('PGlite: creating an embedded database (initdb takes a few seconds) …');
  const database = await openDatabase({ dataDir: directory });
  try {
    await migrateDatabase(database);
    const templateVersion = await saveDiamondTemplate(database.db);
    const handlers = defaultHandlerRegistry({ withTestHandlers: true });
    const startInProcess = async () => {
      const orchestrator = await startOrchestrator({ database, handlers, concurrency: CONCURRENCY, log: quietLogger });
      return () => orchestrator.stop();
    };
    const startLimitedInProcess = async () => {
      await clearLimitUsage(database);
      const orchestrator = await startOrchestrator({
        database,
        handlers,
        concurrency: CONCURRENCY,
        log: quietLogger,
        serviceLimits: [{ service: LIMITED_SERVICE, ...NEVER_BINDING_LIMITS }],
      });
      await expectLimitsInPlace(database);
      return () => orchestrator.stop();
    };
    progress(`steps_per_second: the in-process orchestrator on PGlite, ${options.tasks} diamonds …`);
    const result = await drainDiamonds(database, {
      templateVersion,
      tasks: options.tasks,
      startDrainers: startInProcess,
      drainerPids: () => [process.pid],
    });
    log.add({
      figure: 'steps_per_second',
      value: round(result.stepsPerSecond),
      unit: 'steps/s',
      db: 'pglite',
      setting: `in-process orchestrator × ${CONCURRENCY} (as in the web process)`,
      workers: 0,
      steps: result.steps,
      process_cpu_ms_per_step: result.cpu ? round(result.cpu.processesMs / result.steps, 3) : null,
    });
    if (options.serviceLimits) {
      progress(
        `steps_per_second_with_service_limits: the in-process orchestrator on PGlite, ${options.tasks} diamonds on service ${LIMITED_SERVICE} …`,
      );
      const withLimits = await drainDiamonds(database, {
        templateVersion: await saveLimitedDiamondTemplate(database.db),
        tasks: options.tasks,
        startDrainers: startLimitedInProcess,
        drainerPids: () => [process.pid],
      });
      await expectLimitsKept(database);
      if (withLimits.tasksNotComplete > 0 || withLimits.failedAttempts > 0) {
        notes.push(`PGlite drain with limits: ${withLimits.tasksNotComplete} tasks not complete, ${withLimits.failedAttempts} failed attempts`);
      }
      log.add({
        figure: 'steps_per_second_with_service_limits',
        value: round(withLimits.stepsPerSecond),
        unit: 'steps/s',
        db: 'pglite',
        setting: `in-process orchestrator × ${CONCURRENCY}, ${LIMITS_SETTING}`,
        workers: 0,
        steps: withLimits.steps,
        process_cpu_ms_per_step: withLimits.cpu ? round(withLimits.cpu.processesMs / withLimits.steps, 3) : null,
      });
      log.add({
        figure: 'service_limits_steps_per_second_ratio',
        value: round(withLimits.stepsPerSecond / result.stepsPerSecond, 2),
        unit: '×',
        db: 'pglite',
        setting: 'in-process orchestrator: with limits / without (one drain each, one after the other)',
        workers: 0,
      });
    }
    if (options.serviceLimitsOnly) {
      return;
    }
    await measureLatencyFigures(database, 'pglite', startInProcess);
    await measureDirectCreate(database, 'pglite');
    await measureDirectBatchCreate(database, 'pglite');
  } finally {
    await database.close();
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------- main
async function main() {
  const started = performance.now();
  let postgresVersion: string | undefined;
  if (options.batchIntake) {
    await measureBatchIntakeOnly();
  } else if (options.retentionOnly) {
    await measureRetentionOnly();
  } else if (options.serviceLimitsOnly) {
    postgresVersion = await measureServiceLimitsOnly();
  } else if (options.localQueueOnly) {
    postgresVersion = await measureLocalQueueOnly();
  } else if (serverUrl) {
    const scratch = await createScratchDatabase(serverUrl, { prefix: 'switchyard_bench', keep: options.keepDb, maxConnections: 10 });
    progress(`PostgreSQL: scratch database ${scratch.name}`);
    try {
      const [version] = await queryRows<{ server_version: string }>(scratch.database.db, sql`show server_version`);
      postgresVersion = version?.server_version;
      const templateVersion = await saveDiamondTemplate(scratch.database.db);
      const limitedTemplateVersion = options.serviceLimits ? await saveLimitedDiamondTemplate(scratch.database.db) : undefined;
      await measurePostgresThroughput(scratch, templateVersion, limitedTemplateVersion);
      await measureLatencyFigures(scratch.database, 'postgres', async () => {
        const workers = await startWorkerProcesses(scratch.database.db, { url: scratch.url, count: 1, concurrency: CONCURRENCY });
        return () => stopWorkerProcesses(workers);
      });
      await measureDirectCreate(scratch.database, 'postgres');
      await measureDirectBatchCreate(scratch.database, 'postgres');
      const routes = options.http ? await measureHttpFigures(scratch, templateVersion) : undefined;
      if (options.retention) {
        await measureRetentionImpact(scratch, templateVersion);
      }
      if (options.million) {
        await measureMillion(routes);
      }
      if (options.keepDb) {
        notes.push(`the scratch database was kept: ${scratch.name}`);
      }
    } finally {
      await scratch.close();
    }
    if (options.explain) {
      for (const cold of [true, false]) {
        progress(`EXPLAIN ANALYZE of the hot path at a 10,000-diamond backlog (${cold ? 'never analysed' : 'analysed'}) …`);
        for (const line of summarizeExplains(await explainHotPath(serverUrl, { backlog: 10_000, rounds: 10, cold }))) {
          log.add({
            figure: 'hot_path_statement_ms',
            value: round(line.planning_ms + line.execution_ms, 2),
            unit: 'ms',
            db: 'postgres',
            setting: `${line.statement} of 10 steps, 10,000-diamond backlog, ${line.stats === 'cold' ? 'never analysed' : 'analysed'} (plan ${line.planning_ms} + run ${line.execution_ms}, JIT ${line.jit_ms})`,
            ...line,
          });
        }
      }
    }
  } else {
    notes.push('DATABASE_URL is not set: only the embedded-database figures ran');
    for (const figure of ['steps_per_second', 'graphile_worker_jobs_per_second', 'create_tasks_per_second', 'dashboard_query_ms', 'server_rss_mb']) {
      log.skip({ figure, unit: FIGURE_UNITS[figure] ?? '', db: 'postgres' }, 'needs DATABASE_URL=postgres://…');
    }
  }
  if (appDirectory) {
    fs.rmSync(appDirectory, { recursive: true, force: true });
  }
  if (options.pglite && !options.batchIntake && !options.retentionOnly && !options.localQueueOnly) {
    await measurePglite();
  }
  const seconds = (performance.now() - started) / 1000;
  if (!options.json) {
    process.stdout.write(`\n${renderTextTable(log.figures)}\n\n`);
    process.stdout.write(`machine: ${describeMachine()}; PostgreSQL ${postgresVersion ?? '—'}; ${Math.round(seconds)} s\n`);
    for (const note of notes) {
      process.stdout.write(`note: ${note}\n`);
    }
  }
  if (options.writeResults) {
    writeResultsFile(options.writeResults, {
      figures: log.figures,
      command: `${serverUrl ? 'DATABASE_URL=postgres://… ' : ''}npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      postgresVersion,
      notes,
      startedAt,
      seconds,
    });
    progress(`wrote ${options.writeResults}`);
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
