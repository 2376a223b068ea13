import type { DbOrTx } from '../../db/client';
import { readMetricsSnapshot, readTransitionEvents, readTransitionWatermark } from '../orchestrator/read-metrics-snapshot';
import { getMetrics, type SwitchyardMetrics } from './metrics-registry';

const CIRCUIT_STATES = ['closed', 'open', 'half_open'];
/** Transitions younger than this are counted at a later scrape (see readTransitionEvents). */
const TRANSITION_LAG_SECONDS = 2;
const MAX_TRANSITIONS_PER_SCRAPE = 50_000;
/**
 * Figures are read from the database at most this often. Counting tasks by template and status reads
 * the whole tasks table (≈ 240 ms at a million tasks); the overview asks every 5 s from each open
 * browser, and Prometheus on its own schedule, so reads are shared instead of repeated per caller.
 */
const MAX_AGE_MS = 4000;

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
 * The Prometheus text of GET /metrics. Gauges are read from the database (at most every `maxAgeMs`,
 * see MAX_AGE_MS); counters and the attempt histogram advance over the transitions recorded since the
 * previous read.
 */
export async function collectMetrics(db: DbOrTx, { maxAgeMs = MAX_AGE_MS }: { maxAgeMs?: number } = {}): Promise<{ contentType: string; text: string }> {
  const metrics = getMetrics();
  const askedAt = Date.now();
  const run = metrics.scraping.then(async () => {
    // Scrapes queue one behind the other; one that finds figures read since it was asked for, or
    // younger than maxAgeMs, takes them as they are.
    const refreshedAt = metrics.refreshedAt.get(db);
    if (refreshedAt !== undefined && (refreshedAt >= askedAt || Date.now() - refreshedAt < maxAgeMs)) {
      return;
    }
    const startedAt = Date.now();
    await refresh(db, metrics);
    metrics.refreshedAt.set(db, startedAt);
  });
  metrics.scraping = run.catch(() => {});
  await run;
  return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
}
