import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client';

export type Violation = { check: string; count: number; examples: unknown[] };

async function collect(db: Db, check: string, query: ReturnType<typeof sql>): Promise<Violation | undefined> {
  const rows = await queryRows<Record<string, unknown>>(db, query);
  return rows.length === 0 ? undefined : { check, count: rows.length, examples: rows.slice(0, 5) };
}

/**
 * The chaos suite's claims about the database once the run is over, each as a query that must return
 * nothing. Every row returned is a violation, reported with up to five examples.
 */
export async function findDatabaseViolations(db: Db, { expectedTasks }: { expectedTasks: number }): Promise<Violation[]> {
  const checks = await Promise.all([
    collect(
      db,
      `exactly ${expectedTasks} tasks exist (resubmissions with the same identity make none)`,
      sql`select count(*)::int as tasks from tasks having count(*) <> ${expectedTasks}`,
    ),
    collect(db, 'every task is complete', sql`select id, status from tasks where status <> 'complete' order by id limit 20`),
    collect(
      db,
      'no two attempts of one step overlapped in time',
      sql`select a.step_id, a.number as earlier, b.number as later, a.worker_id as earlier_worker, b.worker_id as later_worker,
            a.finished_at as earlier_finished, b.started_at as later_started
          from step_attempts a join step_attempts b on b.step_id = a.step_id and b.number > a.number
          where b.started_at < coalesce(a.finished_at, 'infinity'::timestamptz)
          limit 20`,
    ),
    collect(
      db,
      'every attempt has a transition into in_progress (its claim)',
      sql`select a.step_id, a.number from step_attempts a
          where not exists (select 1 from transitions t where t.step_id = a.step_id and t.attempt = a.number and t.to_status = 'in_progress')
          limit 20`,
    ),
    collect(
      db,
      'every finished attempt has a transition out of in_progress with its outcome',
      sql`select a.step_id, a.number, a.outcome from step_attempts a
          where a.finished_at is not null
            and not exists (select 1 from transitions t where t.step_id = a.step_id and t.attempt = a.number and t.from_status = 'in_progress')
          limit 20`,
    ),
    collect(
      db,
      'no attempt is left running',
      sql`select step_id, number, worker_id from step_attempts where outcome = 'running' or finished_at is null limit 20`,
    ),
    collect(
      db,
      'no step is in_progress without a live lease',
      sql`select id, worker_id, lease_expires_at from steps where status = 'in_progress' and (lease_expires_at is null or lease_expires_at < now()) limit 20`,
    ),
    collect(
      db,
      "a step's attempt count matches its attempt rows, numbered 1…n",
      sql`select s.id, s.attempts, count(a.*)::int as rows, max(a.number) as highest from steps s left join step_attempts a on a.step_id = s.id
          group by s.id, s.attempts having s.attempts <> count(a.*) or s.attempts <> coalesce(max(a.number), 0) limit 20`,
    ),
    collect(
      db,
      'a complete step has exactly one complete attempt, its last',
      sql`select s.id, count(*) filter (where a.outcome = 'complete')::int as complete_attempts
          from steps s join step_attempts a on a.step_id = s.id where s.status = 'complete'
          group by s.id, s.attempts
          having count(*) filter (where a.outcome = 'complete') <> 1 or max(a.number) filter (where a.outcome = 'complete') <> s.attempts
          limit 20`,
    ),
    collect(
      db,
      'a step started only after all its dependencies completed',
      sql`select a.step_id, a.number, p.step_id as dependency from step_attempts a
          join step_dependencies d on d.step_id = a.step_id
          join lateral (select step_id, max(finished_at) filter (where outcome = 'complete') as done from step_attempts where step_id = d.depends_on_step_id group by step_id) p on true
          where p.done is null or a.started_at < p.done
          limit 20`,
    ),
    collect(
      db,
      'the Failures index (failing_steps, kept by triggers) holds nothing once every task is complete',
      sql`select step_id, task_id, status from failing_steps limit 20`,
    ),
  ]);
  return checks.filter((check): check is Violation => check !== undefined);
}

/** Steps whose lease ran out more than `graceSeconds` ago and that nobody has reclaimed yet. */
export async function countOrphanedSteps(db: Db, graceSeconds: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from steps where status = 'in_progress' and lease_expires_at < now() - make_interval(secs => ${graceSeconds})`,
  );
  return row?.n ?? 0;
}

export type AttemptFigures = {
  attempts: number;
  steps: number;
  retries: number;
  byOutcome: Record<string, number>;
  byHttpStatus: Record<string, number>;
  circuitOpenings: number;
};

export async function readAttemptFigures(db: Db): Promise<AttemptFigures> {
  const outcomes = await queryRows<{ outcome: string; http_status: number | null; n: number }>(
    db,
    sql`select outcome, http_status, count(*)::int as n from step_attempts group by outcome, http_status order by n desc`,
  );
  const [counts] = await queryRows<{ attempts: number; steps: number; openings: number }>(
    db,
    sql`select (select count(*) from step_attempts)::int as attempts, (select count(*) from steps)::int as steps,
          (select count(*) from service_circuit_events where to_state = 'open')::int as openings`,
  );
  const byOutcome: Record<string, number> = {};
  const byHttpStatus: Record<string, number> = {};
  for (const row of outcomes) {
    byOutcome[row.outcome] = (byOutcome[row.outcome] ?? 0) + row.n;
    if (row.http_status !== null && row.outcome !== 'complete') {
      byHttpStatus[String(row.http_status)] = (byHttpStatus[String(row.http_status)] ?? 0) + row.n;
    }
  }
  const attempts = counts?.attempts ?? 0;
  const steps = counts?.steps ?? 0;
  return { attempts, steps, retries: attempts - steps, byOutcome, byHttpStatus, circuitOpenings: counts?.openings ?? 0 };
}

/** Why tasks are in error: their failed steps grouped by name, outcome and error code, with a sample message. */
export async function describeErrorTasks(db: Db): Promise<{ step: string; outcome: string; message: string; attempts: number; tasks: number }[]> {
  return queryRows(
    db,
    sql`select s.name as step, coalesce(s.last_error ->> 'outcome', '?') || coalesce(' ' || (s.last_error ->> 'code'), '') as outcome,
          min(coalesce(s.last_error ->> 'message', '?')) as message, max(s.attempts - s.round_start_attempts)::int as attempts,
          count(distinct s.task_id)::int as tasks
        from steps s join tasks t on t.id = s.task_id
        where t.status = 'error' and s.status = 'error'
        group by 1, 2 order by tasks desc`,
  );
}

/**
 * Recovery after each SIGKILL, per attempt the killed worker had in flight (those end as worker_lost):
 * from the kill to the start of the step's next attempt when it was retried on its own, or to the moment
 * the loss was recorded when that attempt was the step's last allowed one (the operator takes over then).
 */
export async function readRecoveryTimes(db: Db, kills: readonly { pid: number; atEpochMs: number }[]): Promise<number[]> {
  if (kills.length === 0) {
    return [];
  }
  const rows = await queryRows<{ worker_id: string; recovered_ms: number | null }>(
    db,
    sql`select a.worker_id,
          extract(epoch from case when t.to_status = 'waiting_retry' then n.started_at else a.finished_at end) * 1000 as recovered_ms
        from step_attempts a
        left join step_attempts n on n.step_id = a.step_id and n.number = a.number + 1
        left join lateral (select to_status from transitions where step_id = a.step_id and attempt = a.number and from_status = 'in_progress' limit 1) t on true
        where a.outcome = 'worker_lost'`,
  );
  const times: number[] = [];
  for (const row of rows) {
    const kill = kills.find((candidate) => row.worker_id.includes(`:${candidate.pid}:`));
    if (kill && row.recovered_ms !== null) {
      times.push(Number(row.recovered_ms) - kill.atEpochMs);
    }
  }
  return times;
}
