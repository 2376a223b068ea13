import { EventEmitter } from 'node:events';
import { Logger, run, type RunnerOptions, type WorkerEvents } from 'graphile-worker';

/**
 * The peer in the benchmark: one graphile-worker 0.17 process with a no-op task, as a child of
 * bench/run-bench.ts. It reports on stdout, one JSON object a line: `ready` once it LISTENs, then
 * `done` when it has completed `expected` jobs, with the time of the first job's start and of the
 * last job's completion (Date.now(), the same clock the parent reads).
 *
 * Usage: node --import tsx bench/graphile-worker-drain.ts <connection string> <concurrency> <default|batched> <expected jobs>
 */
const [connectionString, concurrencyArgument, mode, expectedArgument] = process.argv.slice(2);
if (!connectionString || !concurrencyArgument || (mode !== 'default' && mode !== 'batched') || !expectedArgument) {
  console.error('usage: graphile-worker-drain.ts <connection string> <concurrency> <default|batched> <expected jobs>');
  process.exit(2);
}
const concurrency = Number(concurrencyArgument);
const expected = Number(expectedArgument);

/**
 * graphile-worker's batching (https://worker.graphile.org/docs/performance#batching): a local queue
 * fetched and locked in batches, and completions written in batches. The sizes are the ones that
 * gave it the most jobs per second on this machine kind (PERF-NOTES.md: ≈ 13,000–15,000 jobs/s).
 */
const BATCHED_WORKER_OPTIONS = {
  localQueue: { size: Number(process.env.GW_LOCAL_QUEUE_SIZE ?? 500) },
  completeJobBatchDelay: Number(process.env.GW_COMPLETE_JOB_BATCH_DELAY ?? 0),
  failJobBatchDelay: Number(process.env.GW_COMPLETE_JOB_BATCH_DELAY ?? 0),
};

const report = (event: Record<string, unknown>) => process.stdout.write(JSON.stringify(event) + '\n');

let firstStart: number | undefined;
let lastComplete = 0;
let completed = 0;
const events: WorkerEvents = new EventEmitter();
events.on('job:start', () => {
  firstStart ??= Date.now();
});
events.on('job:complete', () => {
  completed += 1;
  lastComplete = Date.now();
  if (completed === expected) {
    report({ event: 'done', first_start: firstStart, last_complete: lastComplete, completed });
  }
});
const listening = new Promise<void>((resolve) => events.once('pool:listen:success', () => resolve()));
const options: RunnerOptions = {
  connectionString,
  concurrency,
  noHandleSignals: true,
  taskList: {
    noop: async () => {},
  },
  logger: new Logger(() => () => {}),
  events,
  ...(mode === 'batched' ? { preset: { worker: BATCHED_WORKER_OPTIONS } } : {}),
};
const runner = await run(options);
await listening;
report({ event: 'ready', mode, concurrency });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      return;
    }
    stopping = true;
    void runner.stop().then(() => process.exit(0));
  });
}
