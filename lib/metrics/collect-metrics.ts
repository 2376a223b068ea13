import type { DbOrTx } from '../../db/client';
import { readMetricsSnapshot, readTransitionEvents, readTransitionWatermark } from '../orchestrator/read-metrics-snapshot';
import { getMetrics, type SwitchyardMetrics } from './metrics-registry';

const CIRCUIT_STATES = ['closed', 'open', 'half_open'];
/** Transitions younger than this are counted at a later scrape (see readTransitionEvents). */
const TRANSITION_LAG_SECONDS = 2;
const MAX_TRANSITIONS_PER_SCRAPE = 50_000;

async function refresh(db: DbOrTx, metrics: SwitchyardMetrics): Promise<void> {
  const snapshot = await readMetricsSnapshot(db);
  metrics.tasks.reset();
  for (const row of snapshot.tasks) {
    metrics.tasks.set({ namespace: row.namespace, name: row.name, status: row.status }, row.count);
  }
  metrics.steps.reset();
  for (const status of ['ready', 'waiting_retry', 'in_progress']) {
    metrics.steps.set({ status }, snapshot.steps.find((row) => row.status === status)?.count ?? 0);
  }
  metrics.oldestReadyStepAge.set(Math.max(0, snapshot.oldestReadyAgeSeconds ?? 0));
  metrics.circuitState.reset();
  metrics.circuitFailures.reset();
  for (const circuit of snapshot.circuits) {
    for (const state of CIRCUIT_STATES) {
      metrics.circuitState.set({ service: circuit.service, state }, circuit.state === state ? 1 : 0);
    }
    metrics.circuitFailures.set({ service: circuit.service }, circuit.consecutive_failures);
  }

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
 * The Prometheus text of GET /metrics. Gauges are read from the database at each scrape; counters and
 * the attempt histogram advance over the transitions recorded since the previous scrape.
 */
export async function collectMetrics(db: DbOrTx): Promise<{ contentType: string; text: string }> {
  const metrics = getMetrics();
  const run = metrics.scraping.then(() => refresh(db, metrics));
  metrics.scraping = run.catch(() => {});
  await run;
  return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
}
