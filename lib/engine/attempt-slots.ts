import { setMaxListeners } from 'node:events';
import type { ClaimedStep } from '../../db/queries/steps';
import type { StepLogger } from '../handlers/define-step-handler';
import type { HandlerRegistry } from '../handlers/index';
import type { Logger } from '../logger';
import type { SecretMatcher } from '../redact-secrets';
import { interruptedBeforeStart, runAttempt, type AttemptOutcome, type CreateServiceCaller } from './run-attempt';

export type AttemptSlotsOptions = {
  concurrency: number;
  /**
   * Steps claimed ahead, beyond the running ones, that wait here for a slot (WORKER_LOCAL_QUEUE_SIZE;
   * 0: none). Claims then take up to concurrency + localQueueSize steps at once and are sent only once
   * the queue has run dry, as graphile-worker's LocalQueue does: fewer, larger statements per step.
   */
  localQueueSize?: number;
  handlers: HandlerRegistry;
  createServiceCaller: CreateServiceCaller;
  log: Logger;
  random: () => number;
  /** Redacts what attempts store of their service calls and log lines. */
  secretMatcher?: SecretMatcher;
  /** Called as each attempt ends, its slot already free; its outcome is not written yet. */
  onAttemptEnded: (step: ClaimedStep, outcome: AttemptOutcome) => void;
};

/**
 * The `concurrency` slots this process runs attempts in. A slot holds a running attempt or is
 * promised to a claim in flight (the claim loop's, or a completing statement's that claims the
 * dependents it releases): claims sent at the same time never take more steps than there are slots.
 *
 * With a local queue (localQueueSize > 0), a claim may also take up to localQueueSize steps more,
 * which wait in the queue, in claim order, for a slot. They are this process's like running ones (in
 * progress, their attempt opened, their lease kept: heldStepIds). Nothing is claimed while any waits:
 * the next claim is sent once the queue has run dry. When the process stops, the steps still waiting
 * are handed back as attempts interrupted before they started (not counted against the retry limit,
 * claimable again at once).
 */
export class AttemptSlots {
  private readonly running = new Map<number, Promise<void>>();
  /** Claimed steps waiting for a slot, oldest first. */
  private readonly queued: ClaimedStep[] = [];
  private readonly localQueueSize: number;
  /** Slots promised to claims in flight. */
  private promised = 0;
  /** Set when the process stops: no slot is free any more. */
  private closed = false;
  private readonly stopController = new AbortController();
  private claimedCount = 0;

  constructor(private readonly options: AttemptSlotsOptions) {
    // Every running attempt listens for the stop: that is `concurrency` listeners, not a leak.
    setMaxListeners(options.concurrency + 5, this.stopController.signal);
    this.localQueueSize = Math.max(0, options.localQueueSize ?? 0);
  }

  /** Steps claimed by this process: by the claim loop, by a completing statement, or as a circuit's probe. */
  get claimed(): number {
    return this.claimedCount;
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** Steps this process holds: running, or claimed and waiting in the local queue. Their leases are kept. */
  heldStepIds(): number[] {
    return [...this.running.keys(), ...this.queued.map((step) => step.id)];
  }

  /**
   * Takes every free slot (and the local queue's room, once it has run dry) for a claim about to be
   * sent; the caller gives them back once its steps run or wait in the queue.
   */
  reserve(): number {
    if (this.closed || this.queued.length > 0) {
      return 0;
    }
    const free = Math.max(0, this.options.concurrency + this.localQueueSize - this.running.size - this.promised);
    this.promised += free;
    return free;
  }

  giveBack(slots: number): void {
    this.promised -= slots;
  }

  hasPromisedSlots(): boolean {
    return this.promised > 0;
  }

  /** Every slot runs an attempt or is promised to a claim. */
  isFull(): boolean {
    return this.queued.length > 0 || this.running.size + this.promised >= this.options.concurrency + this.localQueueSize;
  }

  /** Some slot runs no attempt (it may be promised to a claim): a circuit's probe may take it. */
  hasIdleSlot(): boolean {
    return this.options.concurrency - this.running.size > 0;
  }

  /** Runs an attempt of a step claimed for this process, in a slot the claim reserved, or queues it until a slot is free. */
  start(step: ClaimedStep): void {
    this.claimedCount += 1;
    this.queued.push(step);
    this.startQueued();
  }

  /** Starts the queued steps there are free slots for, oldest first. */
  private startQueued(): void {
    while (!this.closed && this.queued.length > 0 && this.running.size < this.options.concurrency) {
      this.run(this.queued.shift() as ClaimedStep);
    }
  }

  private run(step: ClaimedStep): void {
    const log = stepLogger(this.options.log, step);
    const { handlers, createServiceCaller, random, secretMatcher } = this.options;
    const attempt = runAttempt({ step, handlers, createServiceCaller, stopSignal: this.stopController.signal, log, random, secretMatcher }).then(
      (outcome) => {
        this.running.delete(step.id);
        if (outcome.kind === 'failure') {
          log.warn('attempt failed', {
            outcome: outcome.failure.outcome,
            error: outcome.failure.errorMessage,
            next_status: outcome.failure.nextStatus,
          });
        }
        this.options.onAttemptEnded(step, outcome);
        this.startQueued();
      },
    );
    this.running.set(step.id, attempt);
  }

  /**
   * From now on no slot is free: nothing more is claimed or started. Steps still waiting in the local
   * queue are handed back, each as an attempt interrupted before it started.
   */
  close(): void {
    this.closed = true;
    for (const step of this.queued.splice(0)) {
      this.options.onAttemptEnded(step, interruptedBeforeStart(step));
    }
  }

  /** Resolves once every attempt running now has ended (an attempt never rejects). */
  async allEnded(): Promise<void> {
    await Promise.all(this.running.values());
  }

  /** Tells every running attempt to stop: each ends as interrupted. */
  abort(): void {
    this.stopController.abort();
  }
}

function stepLogger(log: Logger, step: ClaimedStep): StepLogger {
  const child = log.child({ task_id: String(step.taskId), step: step.name, attempt: step.attempt, correlation_id: step.correlationId });
  return {
    info: (message, fields) => child.info(fields ?? {}, message),
    warn: (message, fields) => child.warn(fields ?? {}, message),
    error: (message, fields) => child.error(fields ?? {}, message),
  };
}
