import type { Db } from '../../db/client';
import { extendLeases, lockExpiredLeases, markStepsFailed } from '../../db/queries/steps';
import { compensateFailedTasks } from '../actions/compensate-on-failure';
import type { Logger } from '../logger';
import { classifyFailure } from './run-attempt';

export type LeaseKeeperOptions = {
  db: Db;
  workerId: string;
  leaseSeconds: number;
  log: Logger;
  /** The steps this process holds: running here, or with an outcome not written yet. */
  heldStepIds: () => number[];
  /** Called when steps were reclaimed: they can be claimed again now. */
  onReclaimed: () => void;
};

/**
 * Keeps the leases of the steps this process holds, and reclaims the steps of processes that died.
 * A lease is extended every third of its length (200 ms at least) while its step runs here or has
 * an outcome not yet written, so no other process claims a step whose outcome this one may still
 * record. Steps whose lease ran out (their worker stopped answering) fail as lost attempts, to be retried.
 */
export class LeaseKeeper {
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private reaperTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LeaseKeeperOptions) {}

  start(): void {
    const leaseMs = this.options.leaseSeconds * 1000;
    this.heartbeatTimer = setInterval(() => void this.extendLeases(), Math.max(200, leaseMs / 3));
    this.reaperTimer = setInterval(() => void this.reclaimExpiredLeases(), Math.max(500, Math.min(5000, leaseMs / 2)));
  }

  stop(): void {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.reaperTimer);
  }

  private async extendLeases(): Promise<void> {
    const { db, workerId, leaseSeconds, log } = this.options;
    try {
      await extendLeases(db, { stepIds: this.options.heldStepIds(), workerId, leaseSeconds });
    } catch (error) {
      log.error({ err: error }, 'extending leases failed');
    }
  }

  /** Steps whose worker died: their lease ran out. Each lost attempt counts as a retryable failure. */
  async reclaimExpiredLeases(): Promise<void> {
    const { db, log } = this.options;
    let failedForGood: number[] = [];
    try {
      await db.transaction(async (tx) => {
        const expired = await lockExpiredLeases(tx, 100);
        const lost = expired.map((step) =>
          classifyFailure({
            step: { ...step, backoff: { baseSeconds: 0, maxSeconds: 0, jitter: false, maxRetryAfterSeconds: 0 }, rateLimitedSince: null },
            error: new WorkerLostError(step.workerId),
            durationMs: null,
            lastHttpStatus: null,
          }),
        );
        await markStepsFailed(
          tx,
          lost.map((failure) => ({ ...failure, outcome: 'worker_lost' })),
        );
        failedForGood = lost.filter((failure) => failure.nextStatus === 'error').map((failure) => failure.stepId);
        if (lost.length > 0) {
          log.warn({ steps: lost.map((failure) => failure.stepId) }, 'reclaimed steps whose lease ran out');
          this.options.onReclaimed();
        }
      });
    } catch (error) {
      log.error({ err: error }, 'reclaiming expired leases failed');
      return;
    }
    // A task whose template says on_failure: compensate starts compensating once a step failed for good (after the commit).
    await compensateFailedTasks(db, failedForGood, log);
  }
}

class WorkerLostError extends Error {
  constructor(workerId: string | null) {
    super(`The worker running this attempt (${workerId ?? 'unknown'}) stopped answering; its lease ran out`);
    this.name = 'WorkerLostError';
  }
}
