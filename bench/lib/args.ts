/** The benchmark's command line; see bench/README.md for what each option changes. */
export type BenchOptions = {
  json: boolean;
  quick: boolean;
  /** Diamonds per throughput drain (5 steps each). */
  tasks: number;
  workers: number[];
  repeat: number;
  latencyTasks: number;
  httpTasks: number;
  /** Tasks created through POST /tasks/batch and createTasks() (batchSize a call). */
  batchTasks: number;
  batchSize: number;
  /** Only the batch-intake figures; `intakeOnly`: only the intake figures, POST /tasks and createTask() too. */
  batchIntake: boolean;
  intakeOnly: boolean;
  /** Measure steps/s while RETENTION_DAYS purges `retentionTasks` old tasks (issue 18); `retentionOnly`: only that. */
  retention: boolean;
  retentionOnly: boolean;
  retentionTasks: number;
  /**
   * Also drain diamonds whose every step is on a service with a rate and a concurrency limit that never
   * bind (issue 16: the claim's cost with limits on); `serviceLimitsOnly`: only the steps/s drains, with and without.
   */
  serviceLimits: boolean;
  serviceLimitsOnly: boolean;
  /**
   * Local queue sizes (WORKER_LOCAL_QUEUE_SIZE) with which every steps/s drain is run again (issue 18,
   * target 1: against graphile-worker's localQueue); `localQueueOnly`: only the steps/s drains and the peer.
   */
  localQueues: number[];
  localQueueOnly: boolean;
  queryRounds: number;
  cold: boolean;
  peer: boolean;
  pglite: boolean;
  http: boolean;
  build: boolean;
  million: boolean;
  millionTasks: number;
  millionDb: string | undefined;
  keepDb: boolean;
  explain: boolean;
  writeResults: string | undefined;
};

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const args = [...argv];
  const has = (flag: string) => args.includes(flag);
  const value = (flag: string): string | undefined => {
    const index = args.indexOf(flag);
    if (index < 0) {
      return undefined;
    }
    const next = args[index + 1];
    if (next === undefined || next.startsWith('--')) {
      throw new Error(`${flag} needs a value`);
    }
    return next;
  };
  const integer = (flag: string, fallback: number) => {
    const raw = value(flag);
    if (raw === undefined) {
      return fallback;
    }
    const parsed = Number(raw.replaceAll('_', '').replaceAll(',', ''));
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw new Error(`${flag} must be a positive whole number, not "${raw}"`);
    }
    return parsed;
  };
  const known = new Set([
    '--json',
    '--quick',
    '--tasks',
    '--workers',
    '--repeat',
    '--latency-tasks',
    '--http-tasks',
    '--batch-tasks',
    '--batch-size',
    '--batch-intake',
    '--intake-only',
    '--retention',
    '--retention-only',
    '--retention-tasks',
    '--service-limits',
    '--service-limits-only',
    '--local-queue',
    '--local-queue-only',
    '--query-rounds',
    '--no-cold',
    '--no-peer',
    '--no-pglite',
    '--no-http',
    '--no-build',
    '--million',
    '--million-tasks',
    '--million-db',
    '--keep-db',
    '--explain',
    '--write-results',
    '--help',
  ]);
  for (const [index, arg] of args.entries()) {
    const previous = args[index - 1];
    const isValue =
      previous !== undefined &&
      [
        '--tasks',
        '--workers',
        '--repeat',
        '--latency-tasks',
        '--http-tasks',
        '--batch-tasks',
        '--batch-size',
        '--retention-tasks',
        '--local-queue',
        '--query-rounds',
        '--million-tasks',
        '--million-db',
      ].includes(previous);
    if (!isValue && !known.has(arg) && !(previous === '--write-results' && !arg.startsWith('--'))) {
      throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  const quick = has('--quick');
  const serviceLimitsOnly = has('--service-limits-only');
  const localQueueOnly = has('--local-queue-only');
  const writeIndex = args.indexOf('--write-results');
  const writeTarget = writeIndex >= 0 ? args[writeIndex + 1] : undefined;
  return {
    json: has('--json'),
    quick,
    tasks: integer('--tasks', quick ? 500 : 2000),
    workers: (value('--workers') ?? '1,2,4').split(',').map((part) => {
      const parsed = Number(part);
      if (!Number.isInteger(parsed) || parsed < 1) {
        throw new Error(`--workers takes a list like 1,2,4, not "${part}"`);
      }
      return parsed;
    }),
    repeat: integer('--repeat', quick ? 1 : 3),
    latencyTasks: integer('--latency-tasks', quick ? 50 : 200),
    httpTasks: integer('--http-tasks', quick ? 400 : 2000),
    batchTasks: integer('--batch-tasks', quick ? 2000 : 10_000),
    batchSize: Math.min(integer('--batch-size', 1000), 1000),
    batchIntake: has('--batch-intake') || has('--intake-only'),
    intakeOnly: has('--intake-only'),
    retention: has('--retention') || has('--retention-only') || value('--retention-tasks') !== undefined,
    retentionOnly: has('--retention-only'),
    retentionTasks: integer('--retention-tasks', 1_000_000),
    serviceLimits: has('--service-limits') || serviceLimitsOnly,
    serviceLimitsOnly,
    localQueues: (value('--local-queue') ?? '11,500')
      .split(',')
      .map((part) => {
        const parsed = Number(part);
        if (!Number.isInteger(parsed) || parsed < 0) {
          throw new Error(`--local-queue takes a list of sizes like 11,500 (0: none), not "${part}"`);
        }
        return parsed;
      })
      .filter((size) => size > 0),
    localQueueOnly,
    queryRounds: integer('--query-rounds', quick ? 10 : 30),
    cold: !has('--no-cold') && !quick && !serviceLimitsOnly && !localQueueOnly,
    peer: !has('--no-peer') && !serviceLimitsOnly,
    pglite: !has('--no-pglite'),
    http: !has('--no-http'),
    build: !has('--no-build'),
    million: has('--million') || value('--million-db') !== undefined,
    millionTasks: integer('--million-tasks', 1_000_000),
    millionDb: value('--million-db'),
    keepDb: has('--keep-db'),
    explain: has('--explain'),
    writeResults: writeIndex < 0 ? undefined : writeTarget && !writeTarget.startsWith('--') ? writeTarget : 'bench/RESULTS.md',
  };
}

export const HELP = `npm run bench -- [options]

Without DATABASE_URL: the figures embedded PGlite can give (in-process orchestrator).
With DATABASE_URL=postgres://…: every figure; scratch databases are created on that server and dropped.

  --json               one JSON object per figure on stdout (progress goes to stderr)
  --quick              a smaller run: 500 diamonds, 1 repeat, 50 latency tasks, no cold-statistics run
  --tasks N            diamonds per throughput drain (default 2000 = 10,000 steps)
  --workers 1,2,4      worker process counts for steps_per_second on PostgreSQL
  --repeat N           interleaved repeats of every drain; medians are reported (default 3)
  --latency-tasks N    diamonds for dependent_start_ms / task_latency_ms (default 200)
  --http-tasks N       tasks created through POST /api/v1/tasks (default 2000)
  --batch-tasks N     tasks created through POST /api/v1/tasks/batch and createTasks() (default 10000)
  --batch-size N      tasks per batch call, at most 1000 (default 1000)
  --batch-intake      only the batch-intake figures (createTasks() on each database; POST /tasks/batch
                      with DATABASE_URL unless --no-http)
  --intake-only       only the intake figures: those and createTask() (8 callers) and POST /api/v1/tasks
                      (8 kept-alive clients, orchestrator on), on one next start
  --retention         also: steps/s of 1 worker while RETENTION_DAYS purges old tasks, against the same drain
                      without it (needs DATABASE_URL; seeding 1,000,000 old tasks takes minutes)
  --retention-tasks N old finished tasks seeded for --retention (default 1000000)
  --retention-only    only that figure
  --service-limits    also: every steps/s drain again with each step on a service limited to 10,000/s and
                      10,000 at once (limits that never bind, but every claim keeps them), interleaved with
                      the drains without, and their ratio: the claim's cost with limits on
  --local-queue 11,500  local queue sizes (WORKER_LOCAL_QUEUE_SIZE) with which every steps/s drain on PostgreSQL
                      runs again, interleaved; 0 leaves them out (default 11,500, graphile-worker's two batched settings)
  --local-queue-only  only the steps/s drains on PostgreSQL, without and with the local queue, and graphile-worker
  --service-limits-only  only those steps/s drains, with and without limits (PostgreSQL with DATABASE_URL,
                      and PGlite unless --no-pglite; no cold run, no peer)
  --query-rounds N     timed requests per dashboard query at a million tasks (default 30)
  --million            seed the 1,000,000-task dataset (≈ 4–5 minutes) and time the dashboard's reads
  --million-tasks N    size of that dataset instead of 1,000,000
  --million-db NAME    time the reads on an existing seeded database (kept; implies --million)
  --keep-db            keep the scratch databases (their names are printed)
  --no-cold            skip the drain into never-analysed tables
  --no-peer            skip graphile-worker
  --no-pglite          skip the embedded-database figures
  --no-http            skip everything that needs the Next.js server
  --no-build           use the existing .next build instead of running scripts/ensure-build.ts
  --explain            also EXPLAIN ANALYZE the hot path's statements at a 10,000-diamond backlog
  --write-results [F]  write the table to F (default bench/RESULTS.md)
`;
