import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client';
import { DIAMOND, saveDiamondTemplate } from '../lib/diamond';
import { describeMachine, FigureLog, renderTextTable } from '../lib/figures';
import { createScratchDatabase } from '../lib/scratch-database';
import { median, round } from '../lib/stats';
import { prepareBuild, startWebServer, type WebServer } from '../lib/web-server';
import { startWorkerProcesses, stopWorkerProcesses } from '../lib/worker-processes';
import { waitUntilDrained } from './drain-diamonds';
import { createTasksOverHttp } from './http-api';

const CLIENTS = 8;
const WORKERS = 2;
const WORKER_CONCURRENCY = 10;

type IntakeTwoWebOptions = { json: boolean; tasks: number; repeat: number; build: boolean };

function parseOptions(args: string[]): IntakeTwoWebOptions {
  const value = (flag: string) => {
    const index = args.indexOf(flag);
    return index === -1 ? undefined : args[index + 1];
  };
  const integer = (flag: string, fallback: number) => {
    const raw = value(flag);
    const parsed = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw new Error(`${flag} must be a positive whole number, not "${raw}"`);
    }
    return parsed;
  };
  const quick = args.includes('--quick');
  return {
    json: args.includes('--json'),
    tasks: integer('--http-tasks', quick ? 400 : 2000),
    repeat: integer('--repeat', quick ? 1 : 3),
    build: !args.includes('--no-build'),
  };
}

/**
 * One round: `CLIENTS` kept-alive clients POST /api/v1/tasks until `tasks` were created, spread evenly
 * over `servers` (8 clients on one, or 4 on each of two, as a load balancer would). Tasks/s is counted
 * over the whole round: every task, from the first request to the last answer.
 */
async function createThrough(servers: WebServer[], tasks: number, roundNumber: number) {
  const started = performance.now();
  const results = await Promise.all(
    servers.map((server, index) =>
      createTasksOverHttp(server.url, {
        clients: CLIENTS / servers.length,
        total: Math.floor(tasks / servers.length),
        ...DIAMOND,
        contextOf: (n) => ({ n, round: roundNumber, server: index, email: `two-web-${roundNumber}-${index}-${n}@example.com` }),
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const created = results.reduce((sum, result) => sum + result.tasks, 0);
  return {
    tasksPerSecond: created / seconds,
    failures: results.reduce((sum, result) => sum + result.failures, 0),
    firstFailure: results.find((result) => result.firstFailure)?.firstFailure,
    p50Ms: median(results.map((result) => result.p50Ms)),
    p95Ms: Math.max(...results.map((result) => result.p95Ms)),
  };
}

/**
 * `npm run bench -- --two-web`: intake through one web process against two, same run, on one
 * PostgreSQL (DATABASE_URL's server, a scratch database), in the shape of a deployment of several
 * processes: two `next start` web processes with ORCHESTRATOR=off and two `npm run worker` processes
 * draining what they create. Rounds alternate 1 web, 2 web (`--repeat` times) so that the machine's
 * noise falls on both; the figure is each side's median and their ratio. Returns the exit code.
 */
export async function measureIntakeTwoWeb(args: string[]): Promise<number> {
  const options = parseOptions(args);
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) {
    console.error('--two-web needs DATABASE_URL=postgres://… (several processes share one PostgreSQL; PGlite has one owner)');
    return 2;
  }
  const prepared = prepareBuild({ build: options.build });
  if (!('appDirectory' in prepared)) {
    console.error(`--two-web: ${prepared.skipped}`);
    return 1;
  }
  const log = new FigureLog(options.json);
  const progress = (message: string) => process.stderr.write(`${message}\n`);
  const scratch = await createScratchDatabase(serverUrl, { prefix: 'switchyard_bench', maxConnections: 4 });
  const startedAt = performance.now();
  const servers: WebServer[] = [];
  let workers: Awaited<ReturnType<typeof startWorkerProcesses>> | undefined;
  try {
    await saveDiamondTemplate(scratch.database.db);
    progress('two web processes (ORCHESTRATOR=off) and two workers on one database …');
    for (let index = 0; index < 2; index += 1) {
      // One after the other: each registers the templates as it starts.
      servers.push(await startWebServer({ appDirectory: prepared.appDirectory, databaseUrl: scratch.url, env: { ORCHESTRATOR: 'off', E2E: '1' } }));
    }
    workers = await startWorkerProcesses(scratch.database.db, { url: scratch.url, count: WORKERS, concurrency: WORKER_CONCURRENCY });
    const [first] = servers as [WebServer, WebServer];
    const rounds: Record<'one' | 'two', Awaited<ReturnType<typeof createThrough>>[]> = { one: [], two: [] };
    for (let roundNumber = 0; roundNumber < options.repeat; roundNumber += 1) {
      for (const side of ['one', 'two'] as const) {
        // Each round starts with the workers idle (not truncated: a truncate deadlocks with their claims).
        await waitUntilDrained(scratch.database.db, { timeoutMs: 900_000 });
        progress(`round ${roundNumber + 1}/${options.repeat}: ${options.tasks} tasks through ${side} web process${side === 'two' ? 'es' : ''} …`);
        const result = await createThrough(side === 'one' ? [first] : servers, options.tasks, roundNumber);
        progress(`  ${round(result.tasksPerSecond)} tasks/s, ${result.failures} failures`);
        rounds[side].push(result);
      }
    }
    const [counted] = await queryRows<{ n: number }>(scratch.database.db, sql`select count(*)::int as n from tasks`);
    const summary = (side: 'one' | 'two') => ({
      tasksPerSecond: median(rounds[side].map((result) => result.tasksPerSecond)),
      failures: rounds[side].reduce((sum, result) => sum + result.failures, 0),
      firstFailure: rounds[side].find((result) => result.firstFailure)?.firstFailure,
      p50Ms: median(rounds[side].map((result) => result.p50Ms)),
      p95Ms: median(rounds[side].map((result) => result.p95Ms)),
      each: rounds[side].map((result) => round(result.tasksPerSecond)),
    });
    const one = summary('one');
    const two = summary('two');
    const setting = (servers: number) =>
      `POST /api/v1/tasks, ${CLIENTS} concurrent keep-alive clients${servers === 2 ? ', 4 on each' : ''}, ${options.tasks} tasks a round, median of ${options.repeat} (web ORCHESTRATOR=off, ${WORKERS} workers × ${WORKER_CONCURRENCY} draining; each round starts with the workers idle)`;
    for (const [servers, side] of [
      [1, one],
      [2, two],
    ] as const) {
      log.add({
        figure: 'create_tasks_per_second_web_processes',
        value: round(side.tasksPerSecond),
        unit: 'tasks/s',
        db: 'postgres',
        setting: `${servers} web process${servers === 2 ? 'es' : ''}: ${setting(servers)}`,
        web_processes: servers,
        rounds: side.each,
        request_p50_ms: round(side.p50Ms, 1),
        request_p95_ms: round(side.p95Ms, 1),
        failures: side.failures,
        ...(side.firstFailure ? { first_failure: side.firstFailure } : {}),
      });
    }
    log.add({
      figure: 'two_web_processes_intake_ratio',
      // Round by round (each pair ran back to back), then the median: the machine's noise moves both sides of a pair.
      value: round(median(rounds.two.map((result, index) => result.tasksPerSecond / rounds.one[index]!.tasksPerSecond)), 2),
      unit: '×',
      db: 'postgres',
      setting: `tasks/s through 2 web processes ÷ through 1 in the same pair of rounds, median over ${options.repeat} pairs (${describeMachine()})`,
      tasks_created: counted?.n ?? null,
    });
    if (!options.json) {
      process.stdout.write(
        `\n${renderTextTable(log.figures)}\n\nmachine: ${describeMachine()}; ${Math.round((performance.now() - startedAt) / 1000)} s\n`,
      );
    }
    return one.failures + two.failures === 0 ? 0 : 1;
  } finally {
    if (workers) {
      await stopWorkerProcesses(workers);
    }
    await Promise.all(servers.map((server) => server.stop()));
    await scratch.close();
    fs.rmSync(prepared.appDirectory, { recursive: true, force: true });
  }
}
