import type { Db } from '../../db/client';
import type { ClaimedStep, StepFailure, StepSuccess } from '../../db/queries/steps';
import { compensateFailedTasks } from '../actions/compensate-on-failure';
import type { Logger } from '../logger';
import type { AttemptSlots } from './attempt-slots';
import type { CircuitBreaker, RecordedFailure } from './circuit-breaker';
import type { ClaimLoop } from './claim-loop';
import type { AttemptOutcome } from './run-attempt';
import { writeOutcomes, type OutcomeBatch, type WrittenOutcomes } from './write-outcomes';

/** Writes of one outcome that fail because the database is unavailable before it is given up (about a minute). */
const MAX_WRITE_TRIES = 16;

export type OutcomeRecorderOptions = {
  db: Db;
  workerId: string;
  leaseSeconds: number;
  log: Logger;
  /** Where the dependents a completing statement claims run. */
  slots: Pick<AttemptSlots, 'reserve' | 'giveBack' | 'start'>;
  circuitBreaker: CircuitBreaker | undefined;
  /** Read to decide whether a completing statement claims dependents; woken when steps become claimable. */
  claimLoop: Pick<ClaimLoop, 'isBacklogLikely' | 'isWaitingForPromisedSlots' | 'wake'>;
  /** Services with rate or concurrency limits: a completing statement leaves their dependents to the claim loop. */
  limitedServices?: readonly string[];
};

/**
 * The queue of attempt outcomes not yet written, and its one writer. Outcomes are written in batches
 * (writeOutcomes): whatever ends while a batch is being written goes in the next statement. An
 * outcome the database refuses fails its step alone; one that cannot be written because the database
 * is unavailable is tried again, up to MAX_WRITE_TRIES times over about a minute, and then given up:
 * its lease runs out and the step is retried as a lost attempt. Each failure is counted by the
 * circuits once, however often its write is tried.
 */
export class OutcomeRecorder {
  /** Steps whose outcome is known but not yet written (their leases must still be kept), with each one's service. */
  private readonly unwrittenSteps = new Map<number, string | null>();
  private successes: StepSuccess[] = [];
  /** Failures not yet counted by the circuits. */
  private failures: RecordedFailure[] = [];
  /** Failures already counted, whose write is to be tried (again). */
  private countedFailures: StepFailure[] = [];
  /** How often each unwritten outcome's write failed because the database was unavailable. */
  private readonly writeTries = new Map<number, number>();
  private writing: Promise<void> | undefined;
  /** From this time on, outcomes the database does not take are dropped instead of tried again. */
  private giveUpTime: number | undefined;
  private completedCount = 0;
  private failedCount = 0;

  constructor(private readonly options: OutcomeRecorderOptions) {}

  /** Steps whose outcome is written as complete. */
  get completed(): number {
    return this.completedCount;
  }

  /** Steps whose outcome is written as failed (to be retried, or for good). */
  get failed(): number {
    return this.failedCount;
  }

  unwrittenStepIds(): number[] {
    return [...this.unwrittenSteps.keys()];
  }

  /** Queues the outcome of an attempt that ended, and writes it with whatever else is queued. */
  record(step: ClaimedStep, outcome: AttemptOutcome): void {
    this.unwrittenSteps.set(step.id, step.service);
    if (outcome.kind === 'success') {
      this.successes.push(outcome.success);
    } else {
      this.failures.push({ step, failure: outcome.failure });
    }
    void this.writeQueued();
  }

  /** Resolves once nothing is queued or being written (or every outcome left was given up). */
  async flush(): Promise<void> {
    while (this.writing || this.hasQueued()) {
      await this.writeQueued();
    }
  }

  /** From `time` on (a stopping process that aborted its attempts), outcomes the database does not take are given up. */
  giveUpAfter(time: number): void {
    this.giveUpTime = time;
  }

  private hasGivenUp(): boolean {
    return this.giveUpTime !== undefined && Date.now() > this.giveUpTime;
  }

  private hasQueued(): boolean {
    return this.successes.length > 0 || this.failures.length > 0 || this.countedFailures.length > 0;
  }

  /** One writer at a time: a call while a write runs gets that write, which goes on while anything is queued. */
  private writeQueued(): Promise<void> {
    if (this.writing) {
      return this.writing;
    }
    this.writing = this.writeUntilEmpty().finally(() => {
      this.writing = undefined;
      // Outcomes that arrived between the loop's last look and here would otherwise wait for the next one.
      if (this.hasQueued() && !this.hasGivenUp()) {
        void this.writeQueued();
      }
    });
    return this.writing;
  }

  private async writeUntilEmpty(): Promise<void> {
    while (this.hasQueued()) {
      const written = await this.writeBatch();
      const unwritten = [...written.unwritten.successes, ...written.unwritten.failures];
      if (unwritten.length === 0) {
        continue;
      }
      // Nothing is lost: the outcomes go back in the queue and the leases are still ours, for a while.
      this.options.log.error({ steps: unwritten.length }, 'could not record step outcomes: the database is unavailable; retrying');
      if (this.hasGivenUp()) {
        break;
      }
      const tries = this.requeue(written.unwritten);
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** Math.min(tries, 5))));
    }
  }

  /** Writes what is queued now, in one batch. */
  private async writeBatch(): Promise<WrittenOutcomes> {
    const { db, workerId, leaseSeconds, log, slots, circuitBreaker, claimLoop, limitedServices } = this.options;
    const batchSuccesses = this.successes;
    const newFailures = this.failures;
    this.successes = [];
    this.failures = [];
    const batchFailures = [...this.countedFailures, ...(await this.countFailures(newFailures))];
    this.countedFailures = [];
    // Unless the claim loop is busy with a backlog (it then fills the slots as they free), the
    // completing statement claims the dependents it releases, up to the free slots: they start
    // without waiting for a NOTIFY and another claim.
    const reserved = claimLoop.isBacklogLikely() ? 0 : slots.reserve();
    let written: WrittenOutcomes;
    try {
      written = await writeOutcomes(
        db,
        { successes: batchSuccesses, failures: batchFailures },
        { workerId, leaseSeconds, limit: reserved, limitedServices },
      );
      for (const step of written.claimed) {
        slots.start(step);
      }
    } finally {
      slots.giveBack(reserved);
    }
    // The claim loop may have been woken while this statement held the slots: they are free again.
    if (written.claimed.length < reserved && claimLoop.isWaitingForPromisedSlots()) {
      claimLoop.wake();
    }
    await circuitBreaker?.reportSuccesses(written.written.successes.map((success) => this.unwrittenSteps.get(success.stepId) ?? null));
    this.completedCount += written.written.successes.length;
    this.failedCount += written.written.failures.length + written.notStored.length;
    // Tasks whose template says on_failure: compensate start compensating once a step failed for good.
    await compensateFailedTasks(
      db,
      [...written.written.failures, ...written.notStored].filter((failure) => failure.nextStatus === 'error').map((failure) => failure.stepId),
      log,
    );
    for (const failure of written.notStored) {
      log.error(
        { step_id: failure.stepId, attempt: failure.attempt, error: failure.errorMessage },
        "an attempt's outcome could not be stored; its step is failed for good",
      );
    }
    for (const outcome of [...written.written.successes, ...written.written.failures, ...written.notStored]) {
      this.forget(outcome.stepId);
    }
    // Released steps are claimable now; a step waiting to retry is due soon, and the claim loop's
    // sleep is to end at its time.
    if (written.released > 0 || written.written.failures.some((failure) => failure.nextStatus === 'waiting_retry')) {
      claimLoop.wake();
    }
    return written;
  }

  private async countFailures(recorded: RecordedFailure[]): Promise<StepFailure[]> {
    const { circuitBreaker } = this.options;
    return circuitBreaker ? circuitBreaker.countFailures(recorded) : recorded.map(({ failure }) => failure);
  }

  /**
   * Puts outcomes the database was unavailable for back in the queue, but those tried MAX_WRITE_TRIES
   * times: they are given up. Returns how often the most tried of them was tried.
   */
  private requeue(unwritten: OutcomeBatch): number {
    const outcomes = [...unwritten.successes, ...unwritten.failures];
    let tries = 0;
    for (const outcome of outcomes) {
      tries = Math.max(tries, (this.writeTries.get(outcome.stepId) ?? 0) + 1);
      this.writeTries.set(outcome.stepId, (this.writeTries.get(outcome.stepId) ?? 0) + 1);
    }
    const keep = (outcome: StepSuccess | StepFailure) => (this.writeTries.get(outcome.stepId) ?? 0) < MAX_WRITE_TRIES;
    for (const outcome of outcomes.filter((outcome) => !keep(outcome))) {
      this.options.log.error(
        { step_id: outcome.stepId, attempt: outcome.attempt },
        'gave up recording an outcome; the step runs again once its lease runs out',
      );
      this.forget(outcome.stepId);
    }
    this.successes = [...unwritten.successes.filter(keep), ...this.successes];
    this.countedFailures = unwritten.failures.filter(keep);
    return tries;
  }

  /** Forgets a step whose outcome is written, or given up on: its lease is no longer kept. */
  private forget(stepId: number): void {
    this.unwrittenSteps.delete(stepId);
    this.writeTries.delete(stepId);
  }
}
