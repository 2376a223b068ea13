import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Database } from '../../db/client';
import { claimReadySteps, findNextRunAtDelayMs, STEPS_READY_CHANNEL } from '../../db/queries/steps';
import { PermanentError } from '../errors';
import type { HandlerRegistry } from '../handlers/index';
import { logger as rootLogger, type Logger } from '../logger';
import { AttemptSlots } from './attempt-slots';
import { CircuitBreaker, type CircuitBreakerOptions, DEFAULT_CIRCUIT_BREAKER } from './circuit-breaker';
import { LeaseKeeper } from './lease-keeper';
import { OutcomeRecorder } from './outcome-recorder';
import type { CreateServiceCaller } from './run-attempt';

export type OrchestratorOptions = {
  database: Database;
  handlers: HandlerRegistry;
  createServiceCaller?: CreateServiceCaller;
  /** Steps this process runs at once. */
  concurrency?: number;
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
 * The claim → handler → record loop. Claims as many steps as there are free slots (SKIP LOCKED, so
 * any number of processes may run), runs each attempt with its timeout, and records outcomes in
 * batches: whatever finished while the previous batch was being written goes in the next statement.
 * Sleeps only when there is nothing to claim, and wakes on a NOTIFY, on steps it released itself,
 * or after `pollIntervalMs`.
 */
export async function startOrchestrator(options: OrchestratorOptions): Promise<Orchestrator> {
  const { database, handlers } = options;
  const db = database.db;
  const concurrency = options.concurrency ?? 10;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = (options.log ?? rootLogger).child({ worker_id: workerId });
  const createServiceCaller = options.createServiceCaller ?? noServices;
  const random = options.random ?? Math.random;
  const circuitSettings = options.circuitBreaker === false ? undefined : (options.circuitBreaker ?? DEFAULT_CIRCUIT_BREAKER);

  let stopping = false;
  /** The claim loop was woken but every free slot was promised to a completing statement. */
  let claimWaitsForSlots = false;
  let wakeRequested = false;
  let wakeSleeper: (() => void) | undefined;
  const slots = new AttemptSlots({
    concurrency,
    handlers,
    createServiceCaller,
    log,
    random,
    onAttemptEnded: (step, outcome) => {
      recorder.record(step, outcome);
      // A slot is free: claim again if the last claim suggested there is a backlog.
      if (backlogLikely) {
        wake();
      }
    },
  });
  const circuitBreaker = circuitSettings ? new CircuitBreaker(circuitSettings, { db, slots, workerId, leaseSeconds, log }) : undefined;
  const recorder = new OutcomeRecorder({
    db,
    workerId,
    leaseSeconds,
    log,
    slots,
    circuitBreaker,
    claimLoop: { isBacklogLikely: () => backlogLikely, isWaitingForPromisedSlots: () => claimWaitsForSlots, wake },
  });
  const leaseKeeper = new LeaseKeeper({
    db,
    workerId,
    leaseSeconds,
    log,
    heldStepIds: () => [...slots.runningStepIds(), ...recorder.unwrittenStepIds()],
    onReclaimed: () => wake(),
  });

  function wake() {
    wakeRequested = true;
    wakeSleeper?.();
  }

  function sleepUnlessWoken(ms: number): Promise<void> {
    if (wakeRequested) {
      wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeSleeper = undefined;
        wakeRequested = false;
        resolve();
      }
      wakeSleeper = done;
    });
  }

  /** How long a stopping process keeps trying to write outcomes the database will not take. */
  const RECORD_WAIT_AFTER_STOP_MS = Math.max(shutdownGraceMs, 5000);

  /**
   * How long the claim loop may sleep: until the next waiting step's time (a retry starts within a few
   * milliseconds of its next_attempt_at, not at the next poll), at most pollIntervalMs.
   */
  async function untilNextRunAt(): Promise<number> {
    if (stopping || slots.isFull()) {
      return pollIntervalMs;
    }
    try {
      const delayMs = await findNextRunAtDelayMs(db);
      return delayMs === undefined ? pollIntervalMs : Math.min(pollIntervalMs, Math.ceil(delayMs) + 1);
    } catch (error) {
      log.error({ err: error }, 'reading when the next step is due failed');
      return pollIntervalMs;
    }
  }

  let backlogLikely = false;
  let stopStartedAt = 0;
  async function claimLoop() {
    while (!stopping) {
      const free = slots.reserve();
      claimWaitsForSlots = free === 0 && slots.hasPromisedSlots();
      if (free > 0) {
        try {
          const claimed = await claimReadySteps(db, { limit: free, workerId, leaseSeconds });
          backlogLikely = claimed.length === free;
          for (const step of claimed) {
            slots.start(step);
          }
          if (claimed.length > 0 && claimed.length === free) {
            continue;
          }
        } catch (error) {
          if (stopping) {
            break;
          }
          log.error({ err: error }, 'claiming steps failed');
        } finally {
          slots.giveBack(free);
        }
      }
      await sleepUnlessWoken(await untilNextRunAt());
    }
  }

  const unlisten = await database.listen(STEPS_READY_CHANNEL, () => wake());
  leaseKeeper.start();
  circuitBreaker?.start();
  await leaseKeeper.reclaimExpiredLeases();
  const loop = claimLoop();
  log.info({ concurrency, lease_seconds: leaseSeconds }, 'orchestrator started');

  return {
    workerId,
    wake,
    stats: () => ({ running: slots.runningCount, claimed: slots.claimed, completed: recorder.completed, failed: recorder.failed }),
    async stop() {
      if (stopping) {
        return;
      }
      stopping = true;
      slots.close();
      // Checks stop with the claims: a stopping process sends no probe.
      circuitBreaker?.stop();
      stopStartedAt = Date.now();
      wake();
      await loop;
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise((resolve) => {
        graceTimer = setTimeout(resolve, shutdownGraceMs);
      });
      await Promise.race([slots.allEnded(), graceOver]);
      clearTimeout(graceTimer);
      slots.abort();
      recorder.giveUpAfter(stopStartedAt + RECORD_WAIT_AFTER_STOP_MS);
      await slots.allEnded();
      // If the database is unreachable the outcomes cannot be written; the leases then run out and
      // another process runs those attempts again, so stopping need not wait forever.
      let recordTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        recorder.flush(),
        new Promise((resolve) => {
          recordTimer = setTimeout(resolve, RECORD_WAIT_AFTER_STOP_MS);
        }),
      ]);
      clearTimeout(recordTimer);
      leaseKeeper.stop();
      await unlisten();
      log.info({ claimed: slots.claimed, completed: recorder.completed, failed: recorder.failed }, 'orchestrator stopped');
    },
  };
}
