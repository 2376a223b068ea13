import { DEFAULT_CHAOS_OPTIONS, runChaos, type ChaosOptions, type ChaosReport } from './chaos/run-chaos';

/**
 * `npm run chaos`: N registrations on PostgreSQL while the demo services fail, worker processes are
 * SIGKILLed and the web stand-in restarts; then every claim of the suite is checked. Exits 1 on any
 * violation. See bench/README.md.
 */
const HELP = `npm run chaos -- [options]

Runs on the PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
in a database of its own that it drops afterwards.

  --tasks N            registrations (default ${DEFAULT_CHAOS_OPTIONS.tasks})
  --workers N          worker processes besides the web stand-in (default ${DEFAULT_CHAOS_OPTIONS.workers})
  --kills N            SIGKILLs of a random worker, each restarted 0.3–2 s later (default ${DEFAULT_CHAOS_OPTIONS.kills})
  --outages N          services down (503) for 2–5 s (default ${DEFAULT_CHAOS_OPTIONS.outages})
  --rate-limits N      windows of 429 + Retry-After (default ${DEFAULT_CHAOS_OPTIONS.rateLimits})
  --slow N             windows in which calls outlast the step timeout (default ${DEFAULT_CHAOS_OPTIONS.slowWindows})
  --window S           seconds of chaos; tasks are created in its first 60% (default ${DEFAULT_CHAOS_OPTIONS.windowSeconds})
  --flaky-rate R       share of calls that fail with 500 throughout the window (default ${DEFAULT_CHAOS_OPTIONS.flakyRate})
  --latency-ms N       every call's latency, so kills find attempts in flight (default ${DEFAULT_CHAOS_OPTIONS.latencyMs})
  --seed N             the run's random seed (default ${DEFAULT_CHAOS_OPTIONS.seed})
  --lease S            LEASE_SECONDS of the orchestrators (default ${DEFAULT_CHAOS_OPTIONS.leaseSeconds})
  --strict             tasks that exhaust their attempts are violations (default: retried once by the
                       suite acting as an operator, counted and explained)
  --keep-db            keep the database for inspection
  --json               print the report as JSON
`;

function parse(argv: string[]): { options: ChaosOptions; json: boolean } {
  const options: ChaosOptions = {
    ...DEFAULT_CHAOS_OPTIONS,
    serverUrl: process.env.DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres',
  };
  let json = false;
  const numeric: Record<string, keyof ChaosOptions> = {
    '--tasks': 'tasks',
    '--workers': 'workers',
    '--kills': 'kills',
    '--outages': 'outages',
    '--rate-limits': 'rateLimits',
    '--slow': 'slowWindows',
    '--window': 'windowSeconds',
    '--flaky-rate': 'flakyRate',
    '--latency-ms': 'latencyMs',
    '--seed': 'seed',
    '--lease': 'leaseSeconds',
  };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    const key = numeric[arg];
    if (key) {
      const value = Number(argv[++index]);
      if (!Number.isFinite(value) || value < 0) {
        throw new Error(`${arg} needs a number`);
      }
      (options as Record<string, unknown>)[key] = value;
    } else if (arg === '--strict') {
      options.operatorRetry = false;
    } else if (arg === '--keep-db') {
      options.keepDatabase = true;
    } else if (arg === '--json') {
      json = true;
    } else {
      throw new Error(`unknown option ${arg}\n\n${HELP}`);
    }
  }
  if (options.tasks < 1 || options.workers < 1) {
    throw new Error('--tasks and --workers must be at least 1');
  }
  return { options, json };
}

export function printChaosReport(report: ChaosReport, write: (line: string) => void = console.log): void {
  const f = report.figures;
  write('');
  write(`chaos run on ${report.database}`);
  write(`  tasks                 ${f.tasks} (${f.resubmissions} resubmitted with the same identity)`);
  write(`  attempts              ${f.attempts} (${f.retries} retries)`);
  write(
    `  attempt outcomes      ${Object.entries(f.attemptOutcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  write(
    `  failed by HTTP status ${
      Object.entries(f.failedAttemptsByHttpStatus)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || '—'
    }`,
  );
  write(`  kills                 ${f.kills} SIGKILLs (${f.attemptsLostToKills} attempts in flight lost), ${f.webRestarts} web restart(s)`);
  write(
    `  longest recovery      ${f.longestRecoveryMs === null ? '— (no killed worker held a step)' : `${f.longestRecoveryMs} ms from SIGKILL to the next attempt (median ${f.medianRecoveryMs} ms)`}`,
  );
  write(`  circuit openings      ${f.circuitOpenings}`);
  write(`  exhausted → operator  ${f.errorTasksBeforeOperator} task(s) in error, ${f.operatorRetries} retried by the operator step`);
  write(
    `  service records       ${Object.entries(f.serviceRecords)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  write(`  total time            ${f.totalSeconds} s`);
  if (report.errorReasons.length > 0) {
    write('  why tasks ended in error:');
    for (const reason of report.errorReasons) {
      write(`    ${reason.tasks} × ${reason.step} (${reason.attempts} attempts counted): ${reason.outcome} — e.g. ${reason.message}`);
    }
  }
  if (report.violations.length === 0) {
    write('  every claim held: all tasks complete, one record per registration in each service, no overlapping attempts,');
    write('  a transition for every attempt, no step in progress without a live lease');
  } else {
    write(`  ${report.violations.length} VIOLATION(S):`);
    for (const violation of report.violations) {
      write(`    ✗ ${violation.check}: ${violation.count} — e.g. ${JSON.stringify(violation.examples.slice(0, 3))}`);
    }
  }
}

const isEntry = process.argv[1]?.endsWith('chaos.ts');
if (isEntry) {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  try {
    const report = await runChaos({ ...parsed.options, onProgress: (message) => process.stderr.write(`${message}\n`) });
    if (parsed.json) {
      console.log(JSON.stringify(report));
    } else {
      printChaosReport(report);
    }
    process.exit(report.violations.length === 0 ? 0 : 1);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
