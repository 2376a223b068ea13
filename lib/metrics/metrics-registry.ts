import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsSnapshot } from '../reads/read-metrics-snapshot';

/**
 * The process's metrics, on globalThis: Next.js evaluates modules more than once per process, and a
 * second registry would count half of the requests.
 */
export type SwitchyardMetrics = {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpRequestDuration: Histogram<'method' | 'route'>;
  tasks: Gauge<'namespace' | 'name' | 'status'>;
  steps: Gauge<'status'>;
  oldestReadyStepAge: Gauge;
  stuckTasks: Gauge;
  stuckSteps: Gauge;
  stepsWaitingOnService: Gauge<'kind'>;
  circuitState: Gauge<'service' | 'state'>;
  circuitFailures: Gauge<'service'>;
  serviceHeld: Gauge<'service'>;
  serviceRateLimit: Gauge<'service'>;
  serviceMaxConcurrency: Gauge<'service'>;
  serviceCallsInFlight: Gauge<'service'>;
  serviceStartsLastSecond: Gauge<'service'>;
  tasksCreated: Counter<'namespace' | 'name'>;
  tasksFinished: Counter<'namespace' | 'name' | 'status'>;
  stepAttempts: Counter<'namespace' | 'name' | 'step' | 'outcome'>;
  stepAttemptDuration: Histogram<'namespace' | 'name' | 'step' | 'outcome'>;
  /** Per database: transitions up to this id have been counted. Absent until the first scrape. */
  transitionWatermarks: WeakMap<object, number>;
  /** Per database: the snapshot the gauges show (see collectMetrics). */
  shownSnapshots: WeakMap<object, MetricsSnapshot>;
  /** Scrapes take turns, so no transition is counted twice. */
  scraping: Promise<unknown>;
};

const METRICS_KEY = Symbol.for('switchyard.metrics');
type MetricsHolder = { [METRICS_KEY]?: SwitchyardMetrics };

function createMetrics(): SwitchyardMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'switchyard_http_requests_total',
      help: 'API requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'switchyard_http_request_duration_seconds',
      help: 'Time to answer an API request (to the first byte for event streams)',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    tasks: new Gauge({ name: 'switchyard_tasks', help: 'Tasks by template and status', labelNames: ['namespace', 'name', 'status'], registers }),
    steps: new Gauge({ name: 'switchyard_steps', help: 'Steps ready, waiting to retry, and in progress', labelNames: ['status'], registers }),
    oldestReadyStepAge: new Gauge({
      name: 'switchyard_oldest_ready_step_age_seconds',
      help: 'How long the longest-waiting claimable step has waited past its time (0 when none waits)',
      registers,
    }),
    stuckTasks: new Gauge({
      name: 'switchyard_stuck_tasks',
      help: 'Tasks with a step waiting (to retry, or on its service) for longer than STUCK_AFTER_SECONDS',
      registers,
    }),
    stuckSteps: new Gauge({
      name: 'switchyard_stuck_steps',
      help: 'Steps waiting (to retry, or on their service) for longer than STUCK_AFTER_SECONDS',
      registers,
    }),
    stepsWaitingOnService: new Gauge({
      name: 'switchyard_steps_waiting_on_service',
      help: 'Steps held back by their service: its circuit open (circuit_open), a hold (held) or a rate limit (rate_limited)',
      labelNames: ['kind'],
      registers,
    }),
    circuitState: new Gauge({
      name: 'switchyard_service_circuit_state',
      help: "1 for each service's current circuit state (closed, open, half_open), else 0",
      labelNames: ['service', 'state'],
      registers,
    }),
    circuitFailures: new Gauge({
      name: 'switchyard_service_circuit_consecutive_failures',
      help: 'Failed calls in a row to each service',
      labelNames: ['service'],
      registers,
    }),
    serviceHeld: new Gauge({
      name: 'switchyard_service_held',
      help: 'Set (1) for each service an operator holds: none of its steps starts until it is released',
      labelNames: ['service'],
      registers,
    }),
    serviceRateLimit: new Gauge({
      name: 'switchyard_service_rate_limit_per_second',
      help: 'Calls a second each service may take, across every process (SERVICE_<NAME>_RATE_PER_SECOND)',
      labelNames: ['service'],
      registers,
    }),
    serviceMaxConcurrency: new Gauge({
      name: 'switchyard_service_max_concurrency',
      help: 'Calls each service may have running at once, across every process (SERVICE_<NAME>_MAX_CONCURRENCY)',
      labelNames: ['service'],
      registers,
    }),
    serviceCallsInFlight: new Gauge({
      name: 'switchyard_service_calls_in_flight',
      help: 'Calls running now to each service (its steps in progress), by every process',
      labelNames: ['service'],
      registers,
    }),
    serviceStartsLastSecond: new Gauge({
      name: 'switchyard_service_calls_started_last_second',
      help: 'Calls started in the last second to each service with a rate limit, by every process',
      labelNames: ['service'],
      registers,
    }),
    tasksCreated: new Counter({
      name: 'switchyard_tasks_created_total',
      help: 'Tasks created since this process started counting, by template',
      labelNames: ['namespace', 'name'],
      registers,
    }),
    tasksFinished: new Counter({
      name: 'switchyard_tasks_finished_total',
      help: 'Tasks that reached complete, error, cancelled or resolved_manually, by template and status',
      labelNames: ['namespace', 'name', 'status'],
      registers,
    }),
    stepAttempts: new Counter({
      name: 'switchyard_step_attempts_total',
      help: 'Finished attempts by template, step and outcome',
      labelNames: ['namespace', 'name', 'step', 'outcome'],
      registers,
    }),
    stepAttemptDuration: new Histogram({
      name: 'switchyard_step_attempt_duration_seconds',
      help: 'Duration of finished attempts by template, step and outcome',
      labelNames: ['namespace', 'name', 'step', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    transitionWatermarks: new WeakMap(),
    shownSnapshots: new WeakMap(),
    scraping: Promise.resolve(),
  };
}

export function getMetrics(): SwitchyardMetrics {
  const holder = globalThis as MetricsHolder;
  holder[METRICS_KEY] ??= createMetrics();
  return holder[METRICS_KEY];
}
