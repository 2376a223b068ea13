import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Database } from '../../db/client';
import { writeServiceLimitSettings, type ServiceLimit } from '../../db/queries/service-limits';
import { STEPS_READY_CHANNEL } from '../../db/queries/steps';
import { PermanentError } from '../errors';
import type { HandlerRegistry } from '../handlers/index';
import { logger as rootLogger, type Logger } from '../logger';
import { createSecretMatcher } from '../redact-secrets';
import { AlertDelivery, type AlertDeliveryOptions } from './alert-delivery';
import { AttemptSlots } from './attempt-slots';
import { CircuitBreaker, DEFAULT_CIRCUIT_BREAKER, type CircuitBreakerOptions } from './circuit-breaker';
import { ClaimLoop } from './claim-loop';
import { LeaseKeeper } from './lease-keeper';
import { OutcomeRecorder } from './outcome-recorder';
import { Retention, type RetentionOptions } from './retention';
import type { CreateServiceCaller } from './run-attempt';

export type OrchestratorOptions = {
  database: Database;
  handlers: HandlerRegistry;
  createServiceCaller?: CreateServiceCaller;
  /** Steps this process runs at once. */
  concurrency?: number;
  /**
   * Steps claimed ahead to wait for a slot (WORKER_LOCAL_QUEUE_SIZE; default 0: none). Off while any
   * service has limits: a queued step would start later than the claim that counted it.
   */
  localQueueSize?: number;
  /** How long to sleep when there was nothing to claim and nobody said there is work. */
  pollIntervalMs?: number;
  /** A claimed step is reclaimed by another process when its lease runs out; the holder extends it. */
  leaseSeconds?: number;
  /** How long stop() lets running attempts finish before aborting them. */
  shutdownGraceMs?: number;
  workerId?: string;
  log?: Logger;
  random?: () => number;
  /** Circuit breaking per service (state shared in the database); false turns it off. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Rate and concurrency limits per service, kept by every process's claims together (give each process the same). */
  serviceLimits?: readonly ServiceLimit[];
  /** Failure alerts (ALERT_WEBHOOK_URL): queued from the outbox and sent by this process among others; unset: none sent. */
  alerts?: Omit<AlertDeliveryOptions, 'db' | 'workerId' | 'log'>;
  /** Names of headers and body fields redacted in what attempts store, besides the default ones (REDACT_FIELDS). */
  redactFields?: readonly string[];
  /** RETENTION_DAYS (and ARCHIVE): old finished tasks removed in the background by one process at a time; unset: every task kept. */
  retention?: Omit<RetentionOptions, 'db' | 'log'>;
};

export type Orchestrator = {
  readonly workerId: string;
  /** Claim now instead of at the next poll. */
  wake(): void;
  /** Stops claiming, lets running attempts finish (aborting them after the grace period), records every outcome. */
  stop(): Promise<void>;
  stats(): { running: number; claimed: number; completed: number; failed: number };
};

const noServices: CreateServiceCaller = () => ({
  call: (service) => Promise.reject(new PermanentError(`No service caller is configured (service ${service})`, { errorCode: 'no_services' })),
});

/**
 * The claim → handler → record loop, composed of its parts: the claim loop claims as many steps as
 * there are free attempt slots (SKIP LOCKED, so any number of processes may run) and sleeps only when
 * there is nothing to claim; each attempt runs in its slot with its timeout; the outcome recorder
 * writes outcomes in batches (whatever finished while the previous batch was being written goes in
 * the next statement); the lease keeper keeps the leases of the steps this process holds and reclaims
 * those of dead processes; the circuit breaker counts service failures and sends probes; the alert
 * delivery turns the alert outbox into messages to ALERT_WEBHOOK_URL, on its own timer; retention
 * (RETENTION_DAYS) removes old finished tasks, on its own timer too.
 */
export async function startOrchestrator(options: OrchestratorOptions): Promise<Orchestrator> {
  const { database, handlers } = options;
  const db = database.db;
  const concurrency = options.concurrency ?? 10;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = (options.log ?? rootLogger).child({ worker_id: workerId });
  const circuitSettings = options.circuitBreaker === false ? undefined : (options.circuitBreaker ?? DEFAULT_CIRCUIT_BREAKER);
  /** How long a stopping process keeps trying to write outcomes the database will not take. */
  const recordWaitAfterStopMs = Math.max(shutdownGraceMs, 5000);

  const limits = options.serviceLimits ?? [];
  const slots = new AttemptSlots({
    concurrency,
    localQueueSize: limits.length > 0 ? 0 : (options.localQueueSize ?? 0),
    handlers,
    createServiceCaller: options.createServiceCaller ?? noServices,
    log,
    random: options.random ?? Math.random,
    secretMatcher: createSecretMatcher(options.redactFields),
    onAttemptEnded: (step, outcome) => {
      recorder.record(step, outcome);
      // A slot is free: claim again if the last claim suggested there is a backlog.
      if (claimLoop.isBacklogLikely()) {
        claimLoop.wake();
      }
    },
  });
  const claimLoop = new ClaimLoop({ db, slots, workerId, leaseSeconds, pollIntervalMs: options.pollIntervalMs ?? 1000, log, limits });
  const circuitBreaker = circuitSettings ? new CircuitBreaker(circuitSettings, { db, slots, workerId, leaseSeconds, log, limits }) : undefined;
  const limitedServices = limits.map((limit) => limit.service);
  const recorder = new OutcomeRecorder({ db, workerId, leaseSeconds, log, slots, circuitBreaker, claimLoop, limitedServices });
  const leaseKeeper = new LeaseKeeper({
    db,
    workerId,
    leaseSeconds,
    log,
    heldStepIds: () => [...slots.heldStepIds(), ...recorder.unwrittenStepIds()],
    onReclaimed: () => claimLoop.wake(),
  });

  const alertDelivery = options.alerts ? new AlertDelivery({ ...options.alerts, db, workerId, log }) : undefined;
  const retention = options.retention ? new Retention({ ...options.retention, db, log }) : undefined;

  // Before listening: whoever waits for this process to listen (a test, the bench) finds its limits in place.
  await writeServiceLimitSettings(db, limits);
  const unlisten = await database.listen(STEPS_READY_CHANNEL, () => claimLoop.wake());
  leaseKeeper.start();
  circuitBreaker?.start();
  await leaseKeeper.reclaimExpiredLeases();
  claimLoop.start();
  alertDelivery?.start();
  retention?.start();
  log.info({ concurrency, lease_seconds: leaseSeconds }, 'orchestrator started');

  const counters = () => ({ claimed: slots.claimed, completed: recorder.completed, failed: recorder.failed });
  return {
    workerId,
    wake: () => claimLoop.wake(),
    stats: () => ({ running: slots.runningCount, ...counters() }),
    async stop() {
      if (claimLoop.mode === 'released') {
        return;
      }
      const stopStartedAt = Date.now();
      slots.close();
      // Checks stop with the claims: a stopping process sends no probe.
      circuitBreaker?.stop();
      const alertsStopped = alertDelivery?.stop();
      const retentionStopped = retention?.stop();
      await claimLoop.release();
      await waitAtMost(slots.allEnded(), shutdownGraceMs);
      slots.abort();
      // Outcomes the database will not take are retried until the wait after stop is over, not after.
      recorder.giveUpAfter(stopStartedAt + recordWaitAfterStopMs);
      await slots.allEnded();
      // If the database is unreachable the outcomes cannot be written; the leases then run out and
      // another process runs those attempts again, so stopping need not wait forever.
      await waitAtMost(recorder.flush(), recordWaitAfterStopMs);
      leaseKeeper.stop();
      await alertsStopped;
      await retentionStopped;
      await unlisten();
      log.info(counters(), 'orchestrator stopped');
    },
  };
}

/** Resolves when `promise` does or after `ms`, whichever comes first. */
async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
