import type { Db } from '../../db/client';
import type { ServiceLimit } from '../../db/queries/service-limits';
import { claimReadySteps, findNextRunAtDelayMs } from '../../db/queries/steps';
import type { Logger } from '../logger';
import type { AttemptSlots } from './attempt-slots';

/**
 * The claim loop is always in one of these modes, named as graphile-worker's LocalQueue names its
 * own where they match:
 * - `starting`: created, not claiming yet (the orchestrator first reclaims expired leases).
 * - `polling`: some slot is free. Claims as many steps as there are free slots, at once again while
 *   each claim fills them all; otherwise sleeps until woken (a NOTIFY, steps this process released
 *   or reclaimed, a slot freed while a backlog is likely) or until the next waiting step's time, at
 *   most `pollIntervalMs`.
 * - `waiting`: every slot runs an attempt or is promised to a completing statement. Sleeps until
 *   woken, at most `pollIntervalMs`. (LocalQueue waits for workers to take the jobs it holds; this
 *   loop holds no steps, it waits for a slot.)
 * - `released`: the orchestrator is stopping; nothing more is claimed.
 * LocalQueue's TTL_EXPIRED has no counterpart: claimed steps start at once, they never wait here.
 */
export type ClaimLoopMode = 'starting' | 'polling' | 'waiting' | 'released';

export type ClaimLoopOptions = {
  db: Db;
  slots: Pick<AttemptSlots, 'reserve' | 'giveBack' | 'start' | 'hasPromisedSlots' | 'isFull'>;
  workerId: string;
  leaseSeconds: number;
  pollIntervalMs: number;
  log: Logger;
  /** The services' rate and concurrency limits, which every claim keeps. */
  limits?: readonly ServiceLimit[];
};

/**
 * Claims ready steps into free slots (SKIP LOCKED, so any number of processes may claim) and starts
 * their attempts. Sleeps only when there is nothing to claim or no slot to claim into.
 */
export class ClaimLoop {
  private currentMode: ClaimLoopMode = 'starting';
  /** The last claim filled every free slot: more steps are likely ready. */
  private backlogLikely = false;
  /** The loop found no free slot while some were promised to a completing statement. */
  private waitingForPromisedSlots = false;
  private wakeRequested = false;
  private wakeSleeper: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: ClaimLoopOptions) {}

  get mode(): ClaimLoopMode {
    return this.currentMode;
  }

  isBacklogLikely(): boolean {
    return this.backlogLikely;
  }

  /** A completing statement held the slots when the loop last looked: once they are free again, wake it. */
  isWaitingForPromisedSlots(): boolean {
    return this.waitingForPromisedSlots;
  }

  start(): void {
    this.loop = this.claimUntilReleased();
  }

  /** Claim now instead of at the end of the sleep; a wake while the loop is busy ends its next sleep at once. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper?.();
  }

  /** Stops claiming; resolves once the claim in flight, if any, is done and its steps started. */
  async release(): Promise<void> {
    this.currentMode = 'released';
    this.wake();
    await this.loop;
  }

  private isReleased(): boolean {
    return this.currentMode === 'released';
  }

  private async claimUntilReleased(): Promise<void> {
    const { db, slots, workerId, leaseSeconds, log, limits } = this.options;
    while (!this.isReleased()) {
      const free = slots.reserve();
      this.currentMode = free > 0 ? 'polling' : 'waiting';
      this.waitingForPromisedSlots = free === 0 && slots.hasPromisedSlots();
      if (free > 0) {
        try {
          const claimed = await claimReadySteps(db, { limit: free, workerId, leaseSeconds, limits });
          this.backlogLikely = claimed.length === free;
          for (const step of claimed) {
            slots.start(step);
          }
          if (claimed.length > 0 && claimed.length === free) {
            continue;
          }
        } catch (error) {
          if (this.isReleased()) {
            break;
          }
          log.error({ err: error }, 'claiming steps failed');
        } finally {
          slots.giveBack(free);
        }
      }
      await this.sleepUnlessWoken(await this.untilNextRunAt());
    }
  }

  /**
   * How long the loop may sleep: until the next waiting step's time (a retry starts within a few
   * milliseconds of its run_at, not at the next poll), at most pollIntervalMs.
   */
  private async untilNextRunAt(): Promise<number> {
    const { db, slots, pollIntervalMs, log } = this.options;
    if (this.isReleased() || slots.isFull()) {
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

  private sleepUnlessWoken(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        this.wakeRequested = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }
}
