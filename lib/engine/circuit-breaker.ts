import type { Db } from '../../db/client';
import {
  closeUnprobedCircuit,
  findServiceCircuits,
  promoteCircuitsToHalfOpen,
  recordServiceFailures,
  recordServiceSuccesses,
  reopenUnprobedCircuit,
  type CircuitSettings,
} from '../../db/queries/service-circuits';
import type { ServiceLimit } from '../../db/queries/service-limits';
import { claimReadySteps, type ClaimedStep, type StepFailure } from '../../db/queries/steps';
import type { Logger } from '../logger';
import type { AttemptSlots } from './attempt-slots';

export type CircuitBreakerOptions = CircuitSettings & {
  /** Steps released when a circuit closes start this far apart. */
  releaseSpreadMs: number;
  /** How often this process looks at circuits (cool-downs over, probes to send). */
  checkIntervalMs: number;
};

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerOptions = {
  failureThreshold: 5,
  cooldownSeconds: 30,
  releaseSpreadMs: 100,
  checkIntervalMs: 1000,
};

/** A failed attempt whose outcome is not written yet, with the step it was an attempt of. */
export type RecordedFailure = { step: ClaimedStep; failure: StepFailure };

export type CircuitBreakerDependencies = {
  db: Db;
  /** Where a probe runs. */
  slots: Pick<AttemptSlots, 'hasIdleSlot' | 'start'>;
  workerId: string;
  leaseSeconds: number;
  log: Logger;
  /** A probe is a call too: it keeps the services' limits. */
  limits?: readonly ServiceLimit[];
};

/** Failures that say the service is unwell: not a refusal (permanent), not a rate limit, not our own crash. */
function isServiceFailure({ step, failure }: RecordedFailure): boolean {
  return (
    step.service !== null &&
    (failure.outcome === 'retryable_error' || failure.outcome === 'timeout') &&
    failure.httpStatus !== 429 &&
    failure.errorCode !== 'template_reference'
  );
}

/**
 * Failures in which the service answered (a refusal such as a 422, a 404, a 429): it is up, whatever it
 * said, so its circuit closes, and the steps waiting on it run and meet that answer within seconds.
 */
function isServiceAnswer({ step, failure }: RecordedFailure): boolean {
  return step.service !== null && failure.httpStatus !== null && !isServiceFailure({ step, failure });
}

/**
 * Circuit breaking per service, its state shared by every process in service_circuits. This process
 * counts its service failures there, refunds the attempts of steps whose service's circuit is open,
 * sends the one probe of a circuit it made half-open, and reports successes to circuits that are not
 * clean. Circuits advise: a circuit that cannot be read or written never holds up recording an outcome.
 */
export class CircuitBreaker {
  /** Services whose circuit is not closed or has failures counted: a success there must be reported. */
  private servicesWithFailures = new Set<string>();
  private checkTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: CircuitBreakerOptions,
    private readonly dependencies: CircuitBreakerDependencies,
  ) {}

  /** Looks at the circuits every checkIntervalMs until stop(). */
  start(): void {
    this.checkTimer = setInterval(() => void this.checkCircuits(), this.settings.checkIntervalMs);
  }

  /** No more checks, hence no more probes, from this process. */
  stop(): void {
    clearInterval(this.checkTimer);
  }

  /**
   * Counts service failures in the shared circuits; call once per failure, however often its write
   * is tried. A failure whose service's circuit is (now) open does not spend an attempt: the step
   * waits for the circuit instead of using up its retries.
   */
  async countFailures(recorded: RecordedFailure[]): Promise<StepFailure[]> {
    const { db, log } = this.dependencies;
    const answers = recorded.filter(isServiceAnswer);
    if (answers.length > 0) {
      await this.reportAnswers(answers);
    }
    const serviceFailures = recorded.filter(isServiceFailure);
    if (serviceFailures.length === 0) {
      return recorded.map(({ failure }) => failure);
    }
    const byService = new Map<string, { service: string; count: number; lastError: string }>();
    for (const { step, failure } of serviceFailures) {
      const service = step.service as string;
      const entry = byService.get(service) ?? { service, count: 0, lastError: '' };
      entry.count += 1;
      entry.lastError = failure.errorMessage;
      byService.set(service, entry);
      this.servicesWithFailures.add(service);
    }
    let changes: Awaited<ReturnType<typeof recordServiceFailures>>;
    try {
      changes = await recordServiceFailures(db, [...byService.values()], this.settings);
    } catch (error) {
      // Circuits advise; they never hold up recording what happened.
      log.error({ err: error }, 'could not count service failures');
      return recorded.map(({ failure }) => failure);
    }
    const openServices = new Set(changes.filter((change) => change.state === 'open').map((change) => change.service));
    for (const change of changes) {
      if (change.state === 'open' && change.previousState !== 'open') {
        log.warn({ service: change.service, previous_state: change.previousState }, 'circuit opened');
      }
    }
    return recorded.map((entry) => {
      const { step, failure } = entry;
      if (!isServiceFailure(entry) || !step.retryable || !openServices.has(step.service as string)) {
        return failure;
      }
      return {
        ...failure,
        nextStatus: 'waiting_retry',
        refundAttempt: true,
        runAfterSeconds: failure.nextStatus === 'error' ? this.settings.cooldownSeconds : failure.runAfterSeconds,
      };
    });
  }

  /** A probe (or any call) that got an answer, even a refusal: the service is up, its circuit closes. */
  private async reportAnswers(answers: RecordedFailure[]): Promise<void> {
    const statusByService = new Map(answers.map(({ step, failure }) => [step.service as string, failure.httpStatus]));
    for (const [service, status] of statusByService) {
      await this.reportSuccesses([service], `the service answered (HTTP ${status ?? '?'}): it is up`);
    }
  }

  /** Reports written successes, by the service of each step (null: none), to the circuits that are not clean. */
  async reportSuccesses(servicesOfSuccesses: (string | null)[], reason?: string): Promise<void> {
    const { db, log } = this.dependencies;
    const services = [...new Set(servicesOfSuccesses.filter((service): service is string => service !== null))].filter((service) =>
      this.servicesWithFailures.has(service),
    );
    if (services.length === 0) {
      return;
    }
    let changes: Awaited<ReturnType<typeof recordServiceSuccesses>> = [];
    try {
      changes = await recordServiceSuccesses(db, services, { spreadMs: this.settings.releaseSpreadMs, ...(reason === undefined ? {} : { reason }) });
    } catch (error) {
      log.error({ err: error }, 'could not report service successes to the circuits');
    }
    for (const change of changes) {
      if (change.previousState !== 'closed') {
        log.info({ service: change.service, previous_state: change.previousState }, 'circuit closed');
      }
    }
  }

  /** Cool-downs that are over become half-open; this process sends the one probe for those it promoted. */
  private async checkCircuits(): Promise<void> {
    const { db, slots, workerId, leaseSeconds, log, limits } = this.dependencies;
    try {
      const circuits = await findServiceCircuits(db);
      this.servicesWithFailures = new Set(
        circuits.filter((circuit) => circuit.state !== 'closed' || circuit.consecutiveFailures > 0).map((circuit) => circuit.service),
      );
      // Without a free slot no probe could be sent: the circuit stays open until a check that has one.
      if (!circuits.some((circuit) => circuit.state !== 'closed') || !slots.hasIdleSlot()) {
        return;
      }
      const promoted = await promoteCircuitsToHalfOpen(db, { staleProbeSeconds: Math.max(leaseSeconds * 2, this.settings.cooldownSeconds) });
      for (const service of promoted) {
        if (!slots.hasIdleSlot()) {
          // Steps may be waiting; closing now would let them all call a service that may still be down.
          await reopenUnprobedCircuit(db, service);
          continue;
        }
        const probe = await claimReadySteps(db, { limit: 1, workerId, leaseSeconds, probeService: service, limits });
        if (probe.length === 0) {
          // Nothing waits (a held service's waiting steps are not claimable: its circuit stays open).
          await closeUnprobedCircuit(db, service);
          continue;
        }
        log.info({ service, step: probe[0]!.name, task_id: String(probe[0]!.taskId) }, 'circuit half-open: sending one probe call');
        slots.start(probe[0]!);
      }
    } catch (error) {
      log.error({ err: error }, 'checking circuits failed');
    }
  }
}
