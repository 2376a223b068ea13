import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Database } from '../../db/client';
import {
  type ClaimedStep,
  claimReadySteps,
  extendLeases,
  lockExpiredLeases,
  markStepsComplete,
  markStepsFailed,
  STEPS_READY_CHANNEL,
  type StepFailure,
  type StepSuccess,
} from '../../db/queries/steps';
import { PermanentError } from '../errors';
import type { StepLogger } from '../handlers/define-step-handler';
import type { HandlerRegistry } from '../handlers/index';
import { logger as rootLogger, type Logger } from '../logger';
import { classifyFailure, type CreateServiceCaller, runAttempt } from './run-attempt';

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

  const stopController = new AbortController();
  const running = new Map<number, Promise<void>>();
  /** Steps whose outcome is known but not yet written: their leases must still be kept. */
  const unrecorded = new Set<number>();
  let successes: StepSuccess[] = [];
  let failures: StepFailure[] = [];
  let recording: Promise<void> | undefined;
  let stopping = false;
  let wakeRequested = false;
  let wakeSleeper: (() => void) | undefined;
  const counters = { claimed: 0, completed: 0, failed: 0 };

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

  function stepLogger(step: ClaimedStep): StepLogger {
    const child = log.child({ task_id: String(step.taskId), step: step.name, attempt: step.attempt, correlation_id: step.correlationId });
    return {
      info: (message, fields) => child.info(fields ?? {}, message),
      warn: (message, fields) => child.warn(fields ?? {}, message),
      error: (message, fields) => child.error(fields ?? {}, message),
    };
  }

  function startAttempt(step: ClaimedStep) {
    const attempt = runAttempt({ step, handlers, createServiceCaller, stopSignal: stopController.signal, log: stepLogger(step), random }).then(
      (outcome) => {
        unrecorded.add(step.id);
        running.delete(step.id);
        if (outcome.kind === 'success') {
          successes.push(outcome.success);
        } else {
          failures.push(outcome.failure);
          stepLogger(step).warn('attempt failed', { outcome: outcome.failure.outcome, error: outcome.failure.errorMessage, next_status: outcome.failure.nextStatus });
        }
        void recordOutcomes();
        // A slot is free: claim again if the last claim suggested there is a backlog.
        if (backlogLikely) {
          wake();
        }
      },
    );
    running.set(step.id, attempt);
  }

  /** Writes every known outcome; one writer at a time, the next batch collects while this one runs. */
  function recordOutcomes(): Promise<void> {
    if (recording) {
      return recording;
    }
    recording = (async () => {
      while (successes.length > 0 || failures.length > 0) {
        const batchSuccesses = successes;
        const batchFailures = failures;
        successes = [];
        failures = [];
        try {
          const { released } = await markStepsComplete(db, batchSuccesses);
          await markStepsFailed(db, batchFailures);
          counters.completed += batchSuccesses.length;
          counters.failed += batchFailures.length;
          for (const outcome of [...batchSuccesses, ...batchFailures]) {
            unrecorded.delete(outcome.stepId);
          }
          if (released > 0 || batchFailures.some((failure) => failure.nextStatus === 'waiting_retry' && failure.runAfterSeconds === 0)) {
            wake();
          }
        } catch (error) {
          // Nothing is lost: the outcomes go back in the queue and the leases are still ours.
          log.error({ err: error }, 'could not record step outcomes; retrying');
          successes = [...batchSuccesses, ...successes];
          failures = [...batchFailures, ...failures];
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    })().finally(() => {
      recording = undefined;
    });
    return recording;
  }

  let backlogLikely = false;
  async function claimLoop() {
    while (!stopping) {
      const free = concurrency - running.size;
      if (free > 0) {
        try {
          const claimed = await claimReadySteps(db, { limit: free, workerId, leaseSeconds });
          counters.claimed += claimed.length;
          backlogLikely = claimed.length === free;
          for (const step of claimed) {
            startAttempt(step);
          }
          if (claimed.length > 0 && claimed.length === free) {
            continue;
          }
        } catch (error) {
          if (stopping) {
            break;
          }
          log.error({ err: error }, 'claiming steps failed');
        }
      }
      await sleepUnlessWoken(pollIntervalMs);
    }
  }

  /** Steps whose worker died: their lease ran out. Each lost attempt counts as a retryable failure. */
  async function reclaimExpiredLeases() {
    try {
      await db.transaction(async (tx) => {
        const expired = await lockExpiredLeases(tx, 100);
        const lost = expired.map((step) =>
          classifyFailure({
            step: { ...step, backoff: { baseSeconds: 0, maxSeconds: 0, jitter: false, maxRetryAfterSeconds: 0 } },
            error: new WorkerLostError(step.workerId),
            durationMs: null,
            lastHttpStatus: null,
          }),
        );
        await markStepsFailed(
          tx,
          lost.map((failure) => ({ ...failure, outcome: 'worker_lost' })),
        );
        if (lost.length > 0) {
          log.warn({ steps: lost.map((failure) => failure.stepId) }, 'reclaimed steps whose lease ran out');
          wake();
        }
      });
    } catch (error) {
      log.error({ err: error }, 'reclaiming expired leases failed');
    }
  }

  async function heartbeat() {
    try {
      await extendLeases(db, { stepIds: [...running.keys(), ...unrecorded], workerId, leaseSeconds });
    } catch (error) {
      log.error({ err: error }, 'extending leases failed');
    }
  }

  const unlisten = await database.listen(STEPS_READY_CHANNEL, () => wake());
  const heartbeatTimer = setInterval(() => void heartbeat(), Math.max(200, (leaseSeconds * 1000) / 3));
  const reaperTimer = setInterval(() => void reclaimExpiredLeases(), Math.max(500, Math.min(5000, (leaseSeconds * 1000) / 2)));
  await reclaimExpiredLeases();
  const loop = claimLoop();
  log.info({ concurrency, lease_seconds: leaseSeconds }, 'orchestrator started');

  return {
    workerId,
    wake,
    stats: () => ({ running: running.size, ...counters }),
    async stop() {
      if (stopping) {
        return;
      }
      stopping = true;
      wake();
      await loop;
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise((resolve) => {
        graceTimer = setTimeout(resolve, shutdownGraceMs);
      });
      await Promise.race([Promise.all(running.values()), graceOver]);
      clearTimeout(graceTimer);
      stopController.abort();
      await Promise.all(running.values());
      await recordOutcomes();
      clearInterval(heartbeatTimer);
      clearInterval(reaperTimer);
      await unlisten();
      log.info(counters, 'orchestrator stopped');
    },
  };
}

class WorkerLostError extends Error {
  constructor(workerId: string | null) {
    super(`The worker running this attempt (${workerId ?? 'unknown'}) stopped answering; its lease ran out`);
    this.name = 'WorkerLostError';
  }
}
