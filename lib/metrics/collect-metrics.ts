import type { DbOrTx } from '../../db/client';
import {
  readSharedMetricsSnapshot,
  readTransitionEvents,
  readTransitionWatermark,
  SHARED_SNAPSHOT_MAX_AGE_MS,
  type MetricsSnapshot,
} from '../reads/read-metrics-snapshot';
import { LIVE_STEP_STATUSES } from '../statuses';
import { getMetrics, type SwitchyardMetrics } from './metrics-registry';

const CIRCUIT_STATES = ['closed', 'open', 'half_open'];
/** Transitions younger than this are counted at a later scrape (see readTransitionEvents). */
const TRANSITION_LAG_SECONDS = 2;
const MAX_TRANSITIONS_PER_SCRAPE = 50_000;

/** Holds, limits and what the limits use, per service. */
function showServiceControls(metrics: SwitchyardMetrics, snapshot: MetricsSnapshot): void {
  const { serviceHeld, serviceRateLimit, serviceMaxConcurrency, serviceCallsInFlight, serviceStartsLastSecond } = metrics;
  for (const gauge of [serviceHeld, serviceRateLimit, serviceMaxConcurrency, serviceCallsInFlight, serviceStartsLastSecond]) {
    gauge.reset();
  }
  for (const service of snapshot.heldServices) {
    serviceHeld.set({ service }, 1);
  }
  for (const limit of snapshot.serviceLimits) {
    if (limit.ratePerSecond !== null) {
      serviceRateLimit.set({ service: limit.service }, limit.ratePerSecond);
      serviceStartsLastSecond.set({ service: limit.service }, limit.startsLastSecond);
    }
    if (limit.maxConcurrency !== null) {
      serviceMaxConcurrency.set({ service: limit.service }, limit.maxConcurrency);
    }
  }
  for (const { service, count } of snapshot.callsInFlight) {
    serviceCallsInFlight.set({ service }, count);
  }
}

/** Sets the gauges to a snapshot, and advances the counters over the transitions recorded since the previous one. */
async function showSnapshot(db: DbOrTx, metrics: SwitchyardMetrics, snapshot: MetricsSnapshot): Promise<void> {
  metrics.tasks.reset();
  for (const row of snapshot.tasks) {
    metrics.tasks.set({ namespace: row.namespace, name: row.name, status: row.status }, row.count);
  }
  metrics.steps.reset();
  for (const status of LIVE_STEP_STATUSES) {
    metrics.steps.set({ status }, snapshot.steps.find((row) => row.status === status)?.count ?? 0);
  }
  metrics.oldestReadyStepAge.set(Math.max(0, snapshot.oldestReadyAgeSeconds ?? 0));
  metrics.stuckTasks.set(snapshot.stuck.stuckTasks);
  metrics.stuckSteps.set(snapshot.stuck.stuckSteps);
  metrics.stepsWaitingOnService.reset();
  for (const [kind, count] of Object.entries(snapshot.stuck.serviceWaitsByKind)) {
    metrics.stepsWaitingOnService.set({ kind }, count);
  }
  metrics.circuitState.reset();
  metrics.circuitFailures.reset();
  for (const circuit of snapshot.circuits) {
    for (const state of CIRCUIT_STATES) {
      metrics.circuitState.set({ service: circuit.service, state }, circuit.state === state ? 1 : 0);
    }
    metrics.circuitFailures.set({ service: circuit.service }, circuit.consecutive_failures);
  }
  showServiceControls(metrics, snapshot);

  const watermark = metrics.transitionWatermarks.get(db);
  if (watermark === undefined) {
    // Counters start at the first scrape, as Prometheus expects of a process that just started.
    metrics.transitionWatermarks.set(db, await readTransitionWatermark(db));
    return;
  }
  const { lastId, events } = await readTransitionEvents(db, {
    afterId: watermark,
    lagSeconds: TRANSITION_LAG_SECONDS,
    maxRows: MAX_TRANSITIONS_PER_SCRAPE,
  });
  for (const event of events) {
    if (event.kind === 'task_created') {
      metrics.tasksCreated.inc({ namespace: event.namespace, name: event.name });
    } else if (event.kind === 'task_finished') {
      metrics.tasksFinished.inc({ namespace: event.namespace, name: event.name, status: event.status });
    } else {
      const labels = { namespace: event.namespace, name: event.name, step: event.step, outcome: event.outcome };
      metrics.stepAttempts.inc(labels);
      if (event.durationMs !== null) {
        metrics.stepAttemptDuration.observe(labels, event.durationMs / 1000);
      }
    }
  }
  metrics.transitionWatermarks.set(db, lastId);
}

/**
 * The Prometheus text of GET /metrics. Gauges show the shared snapshot (readSharedMetricsSnapshot: read
 * at most every `maxAgeMs`, also for GET /overview); counters and the attempt histogram advance over
 * the transitions recorded since the previous snapshot was shown.
 */
export async function collectMetrics(
  db: DbOrTx,
  { maxAgeMs = SHARED_SNAPSHOT_MAX_AGE_MS, stuckAfterSeconds }: { maxAgeMs?: number; stuckAfterSeconds?: number } = {},
): Promise<{ contentType: string; text: string }> {
  const metrics = getMetrics();
  // Taken before queueing, so that scrapes arriving together share one read.
  const shared = readSharedMetricsSnapshot(db, { maxAgeMs, ...(stuckAfterSeconds === undefined ? {} : { stuckAfterSeconds }) });
  shared.catch(() => {});
  const run = metrics.scraping.then(async () => {
    // Scrapes queue one behind the other, so no transition is counted twice; a snapshot already shown
    // is left as it is.
    const { snapshot } = await shared;
    if (metrics.shownSnapshots.get(db) === snapshot) {
      return;
    }
    await showSnapshot(db, metrics, snapshot);
    metrics.shownSnapshots.set(db, snapshot);
  });
  metrics.scraping = run.catch(() => {});
  await run;
  return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
}
