import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { queryRows } from '../../db/client';
import { tasks } from '../../db/schema';
import { createTask } from '../../lib/actions/create-task';
import { registerTemplates } from '../../lib/actions/register-templates';
import { retryTask } from '../../lib/actions/retry-task';
import { startDemoServices } from '../../lib/demo/demo-services';
import { DEFAULT_CIRCUIT_BREAKER } from '../../lib/engine/circuit-breaker';
import { startOrchestrator, type Orchestrator } from '../../lib/engine/runner';
import { defaultHandlerRegistry } from '../../lib/handlers/index';
import { createServiceCallerFactory } from '../../lib/runtime/host';
import { createRandom } from '../../lib/seeded-random';
import { listServiceNames, resolveServiceUrls } from '../../lib/services/service-registry';
import { pollUntil, sleep, spawnTsx, type ChildHandle } from '../lib/processes';
import { createScratchDatabase } from '../lib/scratch-database';
import { percentile } from '../lib/stats';
import { countListeningOrchestrators } from '../lib/worker-processes';
import {
  countOrphanedSteps,
  describeErrorTasks,
  findDatabaseViolations,
  readAttemptFigures,
  readRecoveryTimes,
  type AttemptFigures,
  type Violation,
} from './checks';
import { CHAOS_SERVICES, planChaos, type ChaosPlan } from './schedule';

export type ChaosOptions = {
  /** A PostgreSQL server (any database on it); the run creates a database of its own there. */
  serverUrl: string;
  tasks: number;
  workers: number;
  kills: number;
  outages: number;
  rateLimits: number;
  slowWindows: number;
  /** How long the faults last; the tasks are created during its first 60%. */
  windowSeconds: number;
  flakyRate: number;
  /** Every call takes this long (the work is done first), so a SIGKILL finds attempts in flight. */
  latencyMs: number;
  seed: number;
  /** Lease of a claimed step: how soon a SIGKILLed worker's steps are taken over. */
  leaseSeconds: number;
  circuitCooldownSeconds: number;
  /** Error tasks (attempts exhausted) are retried once, as an operator would; false: they are violations. */
  operatorRetry: boolean;
  /** How long to wait, after the chaos window, for every task to finish. */
  settleSeconds: number;
  keepDatabase: boolean;
  logDirectory: string;
  onProgress?: (message: string) => void;
};

export const DEFAULT_CHAOS_OPTIONS: Omit<ChaosOptions, 'serverUrl'> = {
  tasks: 500,
  workers: 3,
  kills: 6,
  outages: 4,
  rateLimits: 2,
  slowWindows: 2,
  windowSeconds: 40,
  flakyRate: 0.2,
  latencyMs: 150,
  seed: 7,
  leaseSeconds: 5,
  circuitCooldownSeconds: 3,
  operatorRetry: true,
  settleSeconds: 180,
  keepDatabase: false,
  logDirectory: '.test-data/chaos',
};

export type ChaosReport = {
  database: string;
  plan: ChaosPlan;
  figures: {
    tasks: number;
    resubmissions: number;
    attempts: number;
    retries: number;
    kills: number;
    webRestarts: number;
    /** Attempts cut short by a SIGKILL (outcome worker_lost), each taken over after its lease ran out. */
    attemptsLostToKills: number;
    longestRecoveryMs: number | null;
    medianRecoveryMs: number | null;
    maxOrphanedSteps: number;
    circuitOpenings: number;
    errorTasksBeforeOperator: number;
    operatorRetries: number;
    totalSeconds: number;
    attemptOutcomes: AttemptFigures['byOutcome'];
    failedAttemptsByHttpStatus: AttemptFigures['byHttpStatus'];
    serviceRecords: Record<string, number>;
    serviceCalls: Record<string, number>;
  };
  /** Why tasks ended in error before the operator stepped in (attempts exhausted, permanent errors). */
  errorReasons: { step: string; outcome: string; message: string; attempts: number; tasks: number }[];
  violations: Violation[];
};

const REGISTRATION = { namespace: 'blog_examples', name: 'user_registration' } as const;

/**
 * One chaos run (bench/README.md): N registrations through templates/user_registration.yaml on
 * PostgreSQL with the demo services misbehaving, worker processes SIGKILLed and restarted, and the
 * web process's orchestrator (an in-process stand-in) restarted once; then the claims are checked.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const progress = options.onProgress ?? (() => {});
  const startedAt = performance.now();
  const random = createRandom(options.seed);
  const plan = planChaos({
    windowMs: options.windowSeconds * 1000,
    outages: options.outages,
    rateLimits: options.rateLimits,
    slowWindows: options.slowWindows,
    kills: options.kills,
    random,
  });
  const runDirectory = path.resolve(options.logDirectory, `run-${process.pid}-${Date.now()}`);
  fs.mkdirSync(runDirectory, { recursive: true });
  const scratch = await createScratchDatabase(options.serverUrl, { prefix: 'switchyard_chaos', keep: options.keepDatabase, maxConnections: 10 });
  const { db } = scratch.database;
  const services = await startDemoServices({ port: 0 });
  const serviceEnv = Object.fromEntries(CHAOS_SERVICES.map((name) => [`SERVICE_${name.toUpperCase()}_URL`, `${services.url}/${name}`]));
  const serviceUrls = resolveServiceUrls({ env: serviceEnv, demoServicesUrl: services.url });
  const control = async (target: string, body: Record<string, unknown>) => {
    const response = await fetch(`${services.url}/_control/${target}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`POST /_control/${target} answered ${response.status}: ${await response.text()}`);
    }
  };
  const flaky = (service: string) =>
    control(service, { mode: 'flaky', failure_rate: options.flakyRate, latency_ms: options.latencyMs, seed: Math.floor(random() * 2 ** 31) });

  const workerEnv = {
    DATABASE_URL: scratch.url,
    WORKER_CONCURRENCY: '10',
    LEASE_SECONDS: String(options.leaseSeconds),
    POLL_INTERVAL_MS: '200',
    CIRCUIT_COOLDOWN_SECONDS: String(options.circuitCooldownSeconds),
    LOG_LEVEL: 'warn',
    DEMO_SERVICES: 'off',
    E2E: '',
    ...serviceEnv,
  };
  const workers = new Map<number, ChildHandle>();
  let workerSerial = 0;
  const startWorker = () => {
    workerSerial += 1;
    const worker = spawnTsx('scripts/run-worker.ts', { env: workerEnv, logFile: path.join(runDirectory, `worker-${workerSerial}.log`) });
    workers.set(worker.pid, worker);
    void worker.exited.then(() => workers.delete(worker.pid));
    return worker;
  };
  const handlers = defaultHandlerRegistry();
  const standInLog = pino(
    { level: 'warn', base: { service: 'switchyard', role: 'web-stand-in' } },
    pino.destination({ dest: path.join(runDirectory, 'web-stand-in.log'), sync: false }),
  );
  const startStandIn = () =>
    startOrchestrator({
      database: scratch.database,
      handlers,
      createServiceCaller: createServiceCallerFactory(serviceUrls),
      concurrency: 10,
      leaseSeconds: options.leaseSeconds,
      pollIntervalMs: 200,
      shutdownGraceMs: 3000,
      circuitBreaker: { ...DEFAULT_CIRCUIT_BREAKER, cooldownSeconds: options.circuitCooldownSeconds },
      log: standInLog,
    });

  const kills: { pid: number; atEpochMs: number }[] = [];
  let webRestarts = 0;
  let resubmissions = 0;
  let maxOrphanedSteps = 0;
  let standIn: Orchestrator | undefined;
  const timers: NodeJS.Timeout[] = [];
  const pending: Promise<unknown>[] = [];
  const failures: unknown[] = [];
  const at = (ms: number, label: string, action: () => Promise<unknown>) => {
    timers.push(
      setTimeout(() => {
        progress(`  t=${(ms / 1000).toFixed(1)}s ${label}`);
        pending.push(action().catch((error: unknown) => failures.push(error)));
      }, ms),
    );
  };

  try {
    await registerTemplates(db, { directories: ['templates'], handlers, services: listServiceNames(serviceEnv) });
    await Promise.all(CHAOS_SERVICES.map(flaky));
    progress(`chaos: database ${scratch.name}, ${options.workers} workers + the web stand-in, ${options.tasks} registrations, seed ${options.seed}`);
    for (let n = 0; n < options.workers; n++) {
      startWorker();
    }
    await pollUntil(async () => (await countListeningOrchestrators(db)) >= options.workers, {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'the workers to start',
    });
    standIn = await startStandIn();

    const windowStart = performance.now();
    // Faults: each switches its service away from flaky, then back.
    for (const fault of plan.faults) {
      at(fault.atMs, `${fault.service} ${fault.kind} for ${(fault.durationMs / 1000).toFixed(1)} s`, () => control(fault.service, fault.control));
      at(fault.atMs + fault.durationMs, `${fault.service} back to flaky`, () => flaky(fault.service));
    }
    for (const kill of plan.kills) {
      at(kill.atMs, 'SIGKILL a worker', async () => {
        const live = [...workers.values()].filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
        // Prefer a worker that holds steps right now: a kill is meant to cut attempts short.
        const holders = await queryRows<{ worker_id: string }>(
          db,
          sql`select distinct worker_id from steps where status = 'in_progress' and worker_id is not null`,
        );
        const busy = live.filter((worker) => holders.some((holder) => holder.worker_id.includes(`:${worker.pid}:`)));
        const candidates = busy.length > 0 ? busy : live;
        const victim = candidates[Math.floor(random() * candidates.length)];
        if (!victim) {
          return;
        }
        kills.push({ pid: victim.pid, atEpochMs: Date.now() });
        victim.child.kill('SIGKILL');
        await victim.exited;
        await sleep(kill.restartAfterMs);
        startWorker();
      });
    }
    at(plan.webRestartAtMs, 'restart the web process stand-in', async () => {
      const previous = standIn;
      standIn = undefined;
      await previous?.stop();
      standIn = await startStandIn();
      webRestarts += 1;
    });
    const orphanWatch = setInterval(() => {
      // A lease runs out, then the reaper (every lease/2) takes the step back: twice the lease is late.
      void countOrphanedSteps(db, options.leaseSeconds * 2).then(
        (n) => {
          maxOrphanedSteps = Math.max(maxOrphanedSteps, n);
        },
        () => {},
      );
    }, 1000);

    // Registrations, spread over the first 60% of the window; one in 20 is sent twice.
    const perTaskMs = plan.createUntilMs / options.tasks;
    for (let n = 0; n < options.tasks; n++) {
      const dueMs = n * perTaskMs - (performance.now() - windowStart);
      if (dueMs > 0) {
        await sleep(dueMs);
      }
      const context = {
        user_info: { email: `chaos-user-${n}@example.com`, name: `Chaos User ${n}`, plan: (['free', 'pro', 'enterprise'] as const)[n % 3] },
        billing_info: { payment_method: 'card' },
      };
      await createTask(db, { ...REGISTRATION, context });
      if (random() < 0.05) {
        resubmissions += 1;
        const again = await createTask(db, { ...REGISTRATION, context });
        if (again.created) {
          failures.push(new Error(`a resubmitted registration (${context.user_info.email}) created a second task`));
        }
      }
    }
    const remaining = plan.windowMs - (performance.now() - windowStart);
    if (remaining > 0) {
      await sleep(remaining + 100);
    }
    await Promise.all(pending);
    progress('chaos window over: every service up; waiting for the tasks to finish …');
    await Promise.all(CHAOS_SERVICES.map((service) => control(service, { mode: 'up' })));

    const waitForFinish = () =>
      pollUntil(
        async () => {
          const [row] = await queryRows<{ open: number }>(
            db,
            sql`select count(*)::int as open from tasks where status in ('pending', 'in_progress')`,
          );
          return row?.open === 0;
        },
        { timeoutMs: options.settleSeconds * 1000, intervalMs: 500, what: 'every task to finish' },
      );
    await waitForFinish().catch((error: unknown) => failures.push(error));
    const errorReasons = await describeErrorTasks(db);
    const [errorCount] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from tasks where status = 'error'`);
    let operatorRetries = 0;
    if (options.operatorRetry && (errorCount?.n ?? 0) > 0) {
      progress(`${errorCount?.n} tasks ended in error (attempts exhausted); retrying them as an operator would …`);
      const errorTasks = await db.select({ id: tasks.id }).from(tasks).where(eq(tasks.status, 'error'));
      for (const task of errorTasks) {
        await retryTask(db, { taskId: task.id, actor: 'chaos-operator', reason: 'chaos suite: attempts exhausted under injected faults' });
        operatorRetries += 1;
      }
      await waitForFinish().catch((error: unknown) => failures.push(error));
    }
    clearInterval(orphanWatch);

    // Stop everything gracefully, so that what is left in the database is what the orchestrators recorded.
    await standIn?.stop();
    standIn = undefined;
    await Promise.all([...workers.values()].map((worker) => worker.stop('SIGTERM')));

    const violations = await findDatabaseViolations(db, { expectedTasks: options.tasks });
    const summary = (await (await fetch(`${services.url}/_control`)).json()) as { services: Record<string, { records: number; calls: number }> };
    const serviceRecords = Object.fromEntries(Object.entries(summary.services).map(([name, service]) => [name, service.records]));
    const serviceCalls = Object.fromEntries(Object.entries(summary.services).map(([name, service]) => [name, service.calls]));
    for (const [name, records] of Object.entries(serviceRecords)) {
      if (records !== options.tasks) {
        violations.push({
          check: `service ${name} holds exactly ${options.tasks} records (no duplicate side effects, none missing)`,
          count: 1,
          examples: [{ records }],
        });
      }
    }
    if (maxOrphanedSteps > 0) {
      violations.push({
        check: `no step stays in_progress more than ${options.leaseSeconds * 2} s after its lease ran out`,
        count: maxOrphanedSteps,
        examples: [{ max_orphaned_steps_seen: maxOrphanedSteps }],
      });
    }
    if (!options.operatorRetry && (errorCount?.n ?? 0) > 0) {
      violations.push({ check: 'no task ends in error (attempts exhausted)', count: errorCount?.n ?? 0, examples: errorReasons.slice(0, 5) });
    }
    for (const failure of failures) {
      violations.push({ check: 'the run itself went as planned', count: 1, examples: [String((failure as Error)?.message ?? failure)] });
    }
    const attempts = await readAttemptFigures(db);
    const recoveries = await readRecoveryTimes(db, kills);
    return {
      database: scratch.name,
      plan,
      figures: {
        tasks: options.tasks,
        resubmissions,
        attempts: attempts.attempts,
        retries: attempts.retries,
        kills: kills.length,
        webRestarts,
        attemptsLostToKills: attempts.byOutcome.worker_lost ?? 0,
        longestRecoveryMs: recoveries.length > 0 ? Math.round(Math.max(...recoveries)) : null,
        medianRecoveryMs: recoveries.length > 0 ? Math.round(percentile(recoveries, 50)) : null,
        maxOrphanedSteps,
        circuitOpenings: attempts.circuitOpenings,
        errorTasksBeforeOperator: errorCount?.n ?? 0,
        operatorRetries,
        totalSeconds: Math.round((performance.now() - startedAt) / 100) / 10,
        attemptOutcomes: attempts.byOutcome,
        failedAttemptsByHttpStatus: attempts.byHttpStatus,
        serviceRecords,
        serviceCalls,
      },
      errorReasons,
      violations,
    };
  } finally {
    for (const timer of timers) {
      clearTimeout(timer);
    }
    await standIn?.stop().catch(() => {});
    await Promise.all([...workers.values()].map((worker) => worker.stop('SIGKILL', 1000)));
    await services.close();
    await scratch.close();
  }
}
