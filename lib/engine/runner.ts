import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Database } from '../../db/client';
import { claimReadySteps, findNextRunAtDelayMs, STEPS_READY_CHANNEL, type StepFailure, type StepSuccess } from '../../db/queries/steps';
import { PermanentError } from '../errors';
import type { HandlerRegistry } from '../handlers/index';
import { logger as rootLogger, type Logger } from '../logger';
import { AttemptSlots } from './attempt-slots';
import { CircuitBreaker, type CircuitBreakerOptions, DEFAULT_CIRCUIT_BREAKER, type RecordedFailure } from './circuit-breaker';
import { LeaseKeeper } from './lease-keeper';
import type { CreateServiceCaller } from './run-attempt';
import { writeOutcomes } from './write-outcomes';

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

/** Writes of one outcome that fail because the database is unavailable before it is given up (about a minute). */
const MAX_WRITE_TRIES = 16;

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

  /** Steps whose outcome is known but not yet written: their leases must still be kept. */
  const unrecorded = new Set<number>();
  /** The service of each step run here, until its outcome is written (for the circuits). */
  const serviceOfStep = new Map<number, string | null>();
  let successes: StepSuccess[] = [];
  /** Failures not yet counted by the circuits: each is counted once, however often its write is tried. */
  let failures: RecordedFailure[] = [];
  /** Failures already counted, whose write is to be tried (again). */
  let countedFailures: StepFailure[] = [];
  /** How often each unwritten outcome's write failed because the database was unavailable. */
  const writeTries = new Map<number, number>();
  let recording: Promise<void> | undefined;
  let stopping = false;
  /** The claim loop was woken but every free slot was promised to a completing statement. */
  let claimWaitsForSlots = false;
  let wakeRequested = false;
  let wakeSleeper: (() => void) | undefined;
  const counters = { completed: 0, failed: 0 };
  let attemptsAborted = false;
  const slots = new AttemptSlots({
    concurrency,
    handlers,
    createServiceCaller,
    log,
    random,
    onAttemptEnded: (step, outcome) => {
      unrecorded.add(step.id);
      serviceOfStep.set(step.id, step.service);
      if (outcome.kind === 'success') {
        successes.push(outcome.success);
      } else {
        failures.push({ step, failure: outcome.failure });
      }
      void recordOutcomes();
      // A slot is free: claim again if the last claim suggested there is a backlog.
      if (backlogLikely) {
        wake();
      }
    },
  });
  const circuitBreaker = circuitSettings ? new CircuitBreaker(circuitSettings, { db, slots, workerId, leaseSeconds, log }) : undefined;
  const leaseKeeper = new LeaseKeeper({
    db,
    workerId,
    leaseSeconds,
    log,
    heldStepIds: () => [...slots.runningStepIds(), ...unrecorded],
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
  function recordingGivenUp(): boolean {
    return attemptsAborted && Date.now() - stopStartedAt > RECORD_WAIT_AFTER_STOP_MS;
  }

  function hasOutcomesToWrite(): boolean {
    return successes.length > 0 || failures.length > 0 || countedFailures.length > 0;
  }

  /** Forgets a step whose outcome is written, or given up on: its lease is no longer kept. */
  function forgetStep(stepId: number) {
    unrecorded.delete(stepId);
    serviceOfStep.delete(stepId);
    writeTries.delete(stepId);
  }

  /**
   * Writes every known outcome; one writer at a time, the next batch collects while this one runs.
   * An outcome the database refuses fails its step alone (writeOutcomes); one that cannot be written
   * because the database is unavailable is tried again, up to MAX_WRITE_TRIES times over about a
   * minute, and then given up: its lease runs out and the step is retried as a lost attempt.
   */
  function recordOutcomes(): Promise<void> {
    if (recording) {
      return recording;
    }
    recording = (async () => {
      while (hasOutcomesToWrite()) {
        const batchSuccesses = successes;
        const newFailures = failures;
        successes = [];
        failures = [];
        const batchFailures = [...countedFailures, ...(await countFailures(newFailures))];
        countedFailures = [];
        // Unless the claim loop is busy with a backlog (it then fills the slots as they free), the
        // completing statement claims the dependents it releases, up to the free slots: they start
        // without waiting for a NOTIFY and another claim.
        const reserved = backlogLikely ? 0 : slots.reserve();
        let written: Awaited<ReturnType<typeof writeOutcomes>>;
        try {
          written = await writeOutcomes(db, { successes: batchSuccesses, failures: batchFailures }, { workerId, leaseSeconds, limit: reserved });
          for (const step of written.claimed) {
            slots.start(step);
          }
        } finally {
          slots.giveBack(reserved);
        }
        // The claim loop may have been woken while this statement held the slots: they are free again.
        if (written.claimed.length < reserved && claimWaitsForSlots) {
          wake();
        }
        await circuitBreaker?.reportSuccesses(written.written.successes.map((success) => serviceOfStep.get(success.stepId) ?? null));
        counters.completed += written.written.successes.length;
        counters.failed += written.written.failures.length + written.notStored.length;
        for (const failure of written.notStored) {
          log.error({ step_id: failure.stepId, attempt: failure.attempt, error: failure.errorMessage }, 'an attempt\'s outcome could not be stored; its step is failed for good');
        }
        for (const outcome of [...written.written.successes, ...written.written.failures, ...written.notStored]) {
          forgetStep(outcome.stepId);
        }
        // Released steps are claimable now; a step waiting to retry is due soon, and the claim loop's
        // sleep is to end at its time.
        if (written.released > 0 || written.written.failures.some((failure) => failure.nextStatus === 'waiting_retry')) {
          wake();
        }
        const unwritten = [...written.unwritten.successes, ...written.unwritten.failures];
        if (unwritten.length === 0) {
          continue;
        }
        // Nothing is lost: the outcomes go back in the queue and the leases are still ours, for a while.
        log.error({ steps: unwritten.length }, 'could not record step outcomes: the database is unavailable; retrying');
        if (recordingGivenUp()) {
          break;
        }
        let tries = 0;
        for (const outcome of unwritten) {
          tries = Math.max(tries, (writeTries.get(outcome.stepId) ?? 0) + 1);
          writeTries.set(outcome.stepId, (writeTries.get(outcome.stepId) ?? 0) + 1);
        }
        const keep = (outcome: StepSuccess | StepFailure) => (writeTries.get(outcome.stepId) ?? 0) < MAX_WRITE_TRIES;
        for (const outcome of unwritten.filter((outcome) => !keep(outcome))) {
          log.error({ step_id: outcome.stepId, attempt: outcome.attempt }, 'gave up recording an outcome; the step runs again once its lease runs out');
          forgetStep(outcome.stepId);
        }
        successes = [...written.unwritten.successes.filter(keep), ...successes];
        countedFailures = written.unwritten.failures.filter(keep);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** Math.min(tries, 5))));
      }
    })().finally(() => {
      recording = undefined;
      // Outcomes that arrived between the loop's last look and here would otherwise wait for the next one.
      if (hasOutcomesToWrite() && !recordingGivenUp()) {
        void recordOutcomes();
      }
    });
    return recording;
  }

  /** Each failure is counted by the circuits once, however often its write is tried. */
  async function countFailures(recorded: RecordedFailure[]): Promise<StepFailure[]> {
    return circuitBreaker ? circuitBreaker.countFailures(recorded) : recorded.map(({ failure }) => failure);
  }

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
    stats: () => ({ running: slots.runningCount, claimed: slots.claimed, ...counters }),
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
      attemptsAborted = true;
      await slots.allEnded();
      // If the database is unreachable the outcomes cannot be written; the leases then run out and
      // another process runs those attempts again, so stopping need not wait forever.
      let recordTimer: NodeJS.Timeout | undefined;
      const recordEverything = async () => {
        while (recording || hasOutcomesToWrite()) {
          await recordOutcomes();
        }
      };
      await Promise.race([
        recordEverything(),
        new Promise((resolve) => {
          recordTimer = setTimeout(resolve, RECORD_WAIT_AFTER_STOP_MS);
        }),
      ]);
      clearTimeout(recordTimer);
      leaseKeeper.stop();
      await unlisten();
      log.info({ claimed: slots.claimed, ...counters }, 'orchestrator stopped');
    },
  };
}
