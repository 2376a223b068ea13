import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { claimReadySteps, markStepsComplete } from '../db/queries/steps';
import { captureStatements, type CapturedStatement } from './lib/capture-sql';
import { saveDiamondTemplate } from './lib/diamond';
import { createScratchDatabase } from './lib/scratch-database';
import { seedPendingTasks } from './lib/seed-tasks';
import { median, round } from './lib/stats';

/**
 * Diagnostics for the lead: EXPLAIN ANALYZE of the hot path's two statements (claim 10 steps, record
 * 10 successes) at a backlog of diamonds, with and without planner statistics. Prints planning and
 * execution time (medians), the planner's total cost (JIT compiles above jit_above_cost = 100,000),
 * whether JIT ran, and the plan nodes that scan or sort more than they should.
 *
 * Usage: npm run bench -- --explain  (or: tsx bench/explain-hot-path.ts [--backlog N] [--rounds N] [--cold] [--json] [--set name=value …])
 * `--set` applies a setting to the EXPLAINing session first (e.g. `--set jit=off`, to see a proposed connection setting's effect).
 * Needs DATABASE_URL (any database on the server; a scratch database is created and dropped).
 */
type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
};
type ExplainJson = [
  { Plan: PlanNode & { 'Total Cost': number }; 'Planning Time': number; 'Execution Time': number; JIT?: { Timing?: { Total?: number } } },
];

export type HotPathExplain = {
  statement: 'claim' | 'complete';
  stats: 'analyzed' | 'cold';
  backlogTasks: number;
  planningMs: number;
  executionMs: number;
  totalCost: number;
  jitMs: number;
  /** Scans that read many rows (seq scans, and index scans returning far more rows than the batch). */
  wideNodes: string[];
};

function describeWideNodes(node: PlanNode, out: string[] = []): string[] {
  const rows = (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1);
  const isScan = /Scan/.test(node['Node Type']) && !/CTE Scan|WorkTable|Function Scan/.test(node['Node Type']);
  if ((isScan || node['Node Type'] === 'Sort') && rows > 200) {
    out.push(
      `${node['Node Type']}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}: ${rows} rows`,
    );
  }
  for (const child of node.Plans ?? []) {
    describeWideNodes(child, out);
  }
  return out;
}

async function explainInRollback(client: postgres.Sql, statement: CapturedStatement): Promise<ExplainJson[0]> {
  let plan: ExplainJson[0] | undefined;
  await client
    .begin(async (tx) => {
      const [row] = await tx.unsafe(`explain (analyze, summary, format json) ${statement.text}`, statement.params as never[]);
      plan = (row as unknown as { 'QUERY PLAN': ExplainJson })['QUERY PLAN'][0];
      throw new RollbackSignal();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RollbackSignal)) {
        throw error;
      }
    });
  if (!plan) {
    throw new Error('EXPLAIN returned no plan');
  }
  return plan;
}

class RollbackSignal extends Error {}

/**
 * Creates a scratch database with `backlog` diamonds in a mid-drain state (a quarter of the tasks at
 * each of A, B/C, D, E), then EXPLAINs `rounds` claims and completions of 10 steps each.
 */
export async function explainHotPath(
  serverUrl: string,
  { backlog, rounds, cold, settings = {} }: { backlog: number; rounds: number; cold: boolean; settings?: Record<string, string> },
): Promise<HotPathExplain[]> {
  const scratch = await createScratchDatabase(serverUrl, { prefix: 'switchyard_bench_explain' });
  // The session settings of db/client.ts (JIT off), so that the statements are EXPLAINed as the workers run them.
  const client = postgres(scratch.url, { max: 1, onnotice: () => {}, connection: { TimeZone: 'UTC', jit: 'off' } });
  // As drizzle does: JSON parameters arrive already serialised, so they are sent as they are.
  const serializers = client.options.serializers as Record<string, (value: unknown) => unknown>;
  serializers['114'] = serializers['3802'] = (value) => value;
  for (const [name, value] of Object.entries(settings)) {
    await client`select set_config(${name}, ${value}, false)`;
  }
  try {
    const { db } = scratch.database;
    const templateVersion = await saveDiamondTemplate(db);
    await seedPendingTasks(db, { templateVersion, count: backlog });
    // Mid-drain: task n mod 4 = k has its first k levels complete and the next level ready.
    await db.execute(sql`
      with levels as (select id, task_id, name, (task_id % 4)::int as k from steps)
      update steps s set
        status = case
          when (l.name = 'a' and l.k >= 1) or (l.name in ('b', 'c') and l.k >= 2) or (l.name = 'd' and l.k >= 3) then 'complete'
          when (l.name = 'a' and l.k = 0) or (l.name in ('b', 'c') and l.k = 1) or (l.name = 'd' and l.k = 2) or (l.name = 'e' and l.k = 3) then 'ready'
          else 'pending' end,
        results = case when (l.name = 'a' and l.k >= 1) or (l.name in ('b', 'c') and l.k >= 2) or (l.name = 'd' and l.k >= 3) then '{"ok": true}'::jsonb end,
        pending_dependencies = case
          when (l.name = 'a' and l.k = 0) or (l.name in ('b', 'c') and l.k = 1) or (l.name = 'd' and l.k = 2) or (l.name = 'e' and l.k = 3) then 0
          else s.pending_dependencies end,
        run_at = case when (l.name = 'a' and l.k = 0) or (l.name in ('b', 'c') and l.k = 1) or (l.name = 'd' and l.k = 2) or (l.name = 'e' and l.k = 3)
          then now() - random() * interval '10 seconds' end
      from levels l where l.id = s.id`);
    if (!cold) {
      await db.execute(sql`analyze tasks, steps, step_dependencies, step_attempts, transitions`);
    }
    const results: HotPathExplain[] = [];
    const stats = cold ? 'cold' : 'analyzed';
    const claimOptions = { limit: 10, workerId: 'bench-explain', leaseSeconds: 30 };
    for (let round = 0; round < rounds; round++) {
      const [claimStatement] = await captureStatements((recorder) => claimReadySteps(recorder, claimOptions));
      const claimPlan = await explainInRollback(client, claimStatement as CapturedStatement);
      const claimed = await claimReadySteps(db, claimOptions);
      const successes = claimed.map((step) => ({ stepId: step.id, attempt: step.attempt, results: { ok: true }, durationMs: 0, httpStatus: null }));
      const [completeStatement] = await captureStatements((recorder) => markStepsComplete(recorder, successes, claimOptions));
      const completePlan = await explainInRollback(client, completeStatement as CapturedStatement);
      await markStepsComplete(db, successes, claimOptions);
      for (const [statement, plan] of [
        ['claim', claimPlan],
        ['complete', completePlan],
      ] as const) {
        results.push({
          statement,
          stats,
          backlogTasks: backlog,
          planningMs: plan['Planning Time'],
          executionMs: plan['Execution Time'],
          totalCost: plan.Plan['Total Cost'],
          jitMs: plan.JIT?.Timing?.Total ?? 0,
          wideNodes: describeWideNodes(plan.Plan),
        });
      }
    }
    return results;
  } finally {
    await client.end();
    await scratch.close();
  }
}

/** Medians per statement, with the wide nodes seen in the last round. */
export function summarizeExplains(results: readonly HotPathExplain[]) {
  const groups = new Map<string, HotPathExplain[]>();
  for (const result of results) {
    const key = `${result.statement}/${result.stats}/${result.backlogTasks}`;
    groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  return [...groups.values()].map((group) => {
    const last = group[group.length - 1] as HotPathExplain;
    return {
      statement: last.statement,
      stats: last.stats,
      backlog_tasks: last.backlogTasks,
      planning_ms: round(median(group.map((r) => r.planningMs)), 2),
      execution_ms: round(median(group.map((r) => r.executionMs)), 2),
      total_cost: Math.round(median(group.map((r) => r.totalCost))),
      jit_ms: round(median(group.map((r) => r.jitMs)), 1),
      wide_nodes: last.wideNodes,
    };
  });
}

const isEntry = process.argv[1]?.endsWith('explain-hot-path.ts');
if (isEntry) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('explain-hot-path needs DATABASE_URL (a PostgreSQL server; a scratch database is created on it)');
    process.exit(2);
  }
  const argument = (name: string, fallback: number) => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? Number(process.argv[index + 1]) : fallback;
  };
  const backlog = argument('--backlog', 10_000);
  const rounds = argument('--rounds', 20);
  const runs = process.argv.includes('--cold') ? [true] : [true, false];
  const settings = Object.fromEntries(
    process.argv.flatMap((arg, index) => (process.argv[index - 1] === '--set' ? [arg.split('=') as [string, string]] : [])),
  );
  for (const cold of runs) {
    const summary = summarizeExplains(await explainHotPath(url, { backlog, rounds, cold, settings }));
    for (const line of summary) {
      console.log(process.argv.includes('--json') ? JSON.stringify(line) : line);
    }
  }
}
