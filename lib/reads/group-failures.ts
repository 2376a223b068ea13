import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { failingSteps, steps, tasks } from '../../db/schema';
import type { FailureGroup, FailureList, StepError, WaitingGroup } from '../api/types';
import type { ServiceWaitKind } from '../waiting-reasons';
import { errorSignatureSql, isoTimeSql, normalisedErrorMessageSql } from './task-filter-sql';
import { isServiceWaitSql, mayWaitOnServiceSql, waitingReasonSql, waitingSinceSql } from './waiting-reason-sql';

export type GroupFailuresInput = {
  namespace?: string | undefined;
  name?: string | undefined;
  /** A step is stuck once it has waited this long (STUCK_AFTER_SECONDS; its clock is steps.waiting_since). */
  stuckAfterSeconds: number;
};

/** Groups beyond this many are left out (the biggest are kept). */
const MAX_GROUPS = 200;
const SAMPLE_TASK_IDS = 10;

type GroupRow = {
  namespace: string;
  name: string;
  step: string;
  step_status: 'error' | 'waiting_retry';
  signature: string;
  error_signature: string;
  error_code: string | null;
  error_class: string | null;
  http_status: string | number | null;
  message: string;
  count: number;
  first_seen: string;
  last_seen: string;
  sample_task_ids: string[];
  sample_error: StepError | null;
  partial: PartialCell[] | null;
};

/**
 * Failed and stuck tasks, grouped by template, failing step and error signature: tasks in error (each
 * failed step of theirs), and steps retrying for longer than `stuckAfterSeconds`; and, at once, the
 * steps waiting on a service (its circuit open, a hold, a rate limit) as their own groups (readWaitingGroups),
 * left out of the retrying ones. Each group tells how
 * many, since when, a sample error and tasks, what the group's tasks had already done (their other
 * steps' statuses, counted: the data the services already hold), and the `filter` that selects exactly
 * the group in GET /tasks and POST /tasks/bulk/retry.
 */
export async function groupFailures(db: DbOrTx, input: GroupFailuresInput): Promise<FailureList> {
  const templateConditions: SQL[] = [];
  if (input.namespace !== undefined) {
    templateConditions.push(sql`and f.namespace = ${input.namespace}`);
  }
  if (input.name !== undefined) {
    templateConditions.push(sql`and f.name = ${input.name}`);
  }
  // One cut-off for the count and for each stuck group's filter, so that the filter lists what was counted.
  const stuckBefore = new Date(Date.now() - input.stuckAfterSeconds * 1000).toISOString();
  // A step waiting on a service is in its waiting group instead (its retrying_since is steps.waiting_since).
  const counted = sql`(f.status = 'error' or (f.retrying_since < ${stuckBefore}::timestamptz
    and not exists (select 1 from ${steps} s where s.id = f.step_id and ${mayWaitOnServiceSql('s')} and ${isServiceWaitSql(waitingReasonSql('s'))})))
    ${sql.join(templateConditions, sql` `)}`;
  const rows = await queryRows<GroupRow>(
    db,
    sql`
    -- failing_steps is kept by triggers (db/migrations/0005_failing_steps.sql): a row per step in error of a
    -- task in error and per step waiting to retry, each with its task's steps. Counting needs no sort; the
    -- sample tasks are each group's newest rows, read from failing_steps_group.
    with groups as materialized (
      select f.namespace, f.name, f.step, f.status as step_status, f.error_signature,
        count(*)::int as count, min(f.failed_at) as first_seen, max(f.failed_at) as last_seen
      from ${failingSteps} f
      where ${counted}
      group by 1, 2, 3, 4, 5
      order by count(*) desc, max(f.failed_at) desc
      limit ${MAX_GROUPS}
    ), sampled as materialized (
      select g.*, latest.task_ids as sample_task_ids,
        (select s.last_error from ${steps} s where s.id = latest.step_ids[1]) as sample_error
      from groups g cross join lateral (
        select array_agg(n.task_id::text order by n.failed_at desc, n.task_id desc) as task_ids,
          array_agg(n.step_id order by n.failed_at desc, n.task_id desc) as step_ids
        from (select f.task_id, f.step_id, f.failed_at from ${failingSteps} f
              where f.namespace = g.namespace and f.name = g.name and f.step = g.step and f.status = g.step_status
                and f.error_signature = g.error_signature and ${counted}
              order by f.failed_at desc, f.task_id desc limit ${SAMPLE_TASK_IDS}) n
      ) latest
    ), partial_states as materialized (
      -- The tasks of a group mostly share a few partial states: count those, then count their cells.
      select f.namespace, f.name, f.step, f.status as step_status, f.error_signature, f.partial, count(*)::int as n
      from ${failingSteps} f
      where ${counted} and (f.namespace, f.name, f.step, f.status, f.error_signature) in
        (select namespace, name, step, step_status, error_signature from groups)
      group by 1, 2, 3, 4, 5, 6
    ), partial as materialized (
      select p.namespace, p.name, p.step, p.step_status, p.error_signature,
        cell->>0 as other_step, cell->>1 as service, cell->>2 as status, min((cell->>3)::int) as position, sum(p.n)::int as n
      from partial_states p cross join jsonb_array_elements(p.partial::jsonb) cell
      group by 1, 2, 3, 4, 5, 6, 7, 8
    )
    select g.namespace, g.name, g.step, g.step_status, g.error_signature,
      -- A group's signature is one signature: its text is read off its sample error.
      ${errorSignatureSql('g.sample_error')} as signature,
      nullif(g.sample_error->>'code', '') as error_code, g.sample_error->>'class' as error_class,
      (g.sample_error->>'http_status')::int as http_status, ${normalisedErrorMessageSql('g.sample_error')} as message,
      g.count, ${isoTimeSql(sql`g.first_seen`)} as first_seen, ${isoTimeSql(sql`g.last_seen`)} as last_seen, g.sample_task_ids, g.sample_error,
      (select jsonb_agg(jsonb_build_object('step', p.other_step, 'service', p.service, 'status', p.status, 'count', p.n, 'position', p.position))
         from partial p where p.namespace = g.namespace and p.name = g.name and p.step = g.step
           and p.step_status = g.step_status and p.error_signature = g.error_signature) as partial
    from sampled g
    order by g.count desc, g.last_seen desc`,
  );
  return {
    groups: rows.map((row) => toFailureGroup(row, stuckBefore)),
    waiting_groups: await readWaitingGroups(db, input, stuckBefore),
    generated_at: new Date().toISOString(),
    stuck_after_minutes: Math.ceil(input.stuckAfterSeconds / 60),
    stuck_after_seconds: input.stuckAfterSeconds,
  };
}

type WaitingGroupRow = {
  namespace: string;
  name: string;
  step: string;
  service: string;
  kind: ServiceWaitKind;
  count: number;
  stuck: number;
  waiting_since: string;
  until: string | null;
  sample_task_ids: string[];
  partial: PartialCell[] | null;
  circuit_state: 'open' | 'half_open' | null;
  opened_at: string | null;
  next_probe_at: string | null;
  hold_reason: string | null;
  held_by: string | null;
  held_at: string | null;
};

/**
 * Steps (ready or waiting to retry) that wait on their service, grouped by template, step, service and
 * reason, each group with its service's circuit or hold, how many have waited past the stuck cut-off,
 * and its tasks' partial state as they are now.
 */
async function readWaitingGroups(db: DbOrTx, input: GroupFailuresInput, stuckBefore: string): Promise<WaitingGroup[]> {
  const templateConditions: SQL[] = [];
  if (input.namespace !== undefined) {
    templateConditions.push(sql`and t.namespace = ${input.namespace}`);
  }
  if (input.name !== undefined) {
    templateConditions.push(sql`and t.name = ${input.name}`);
  }
  const rows = await queryRows<WaitingGroupRow>(
    db,
    sql`
    with waiting as materialized (
      select s.task_id, t.namespace, t.name, s.name as step, s.service, w.reason->>'kind' as kind,
        ${waitingSinceSql('s')} as since, (w.reason->>'until')::timestamptz as until
      from ${steps} s join ${tasks} t on t.id = s.task_id
      cross join lateral (select ${waitingReasonSql('s')} as reason) w
      where ${mayWaitOnServiceSql('s')} and ${isServiceWaitSql(sql`w.reason`)} ${sql.join(templateConditions, sql` `)}
    ), groups as materialized (
      select namespace, name, step, service, kind, count(*)::int as count,
        count(*) filter (where since < ${stuckBefore}::timestamptz)::int as stuck, min(since) as waiting_since, min(until) as until,
        (array_agg(task_id::text order by since, task_id))[1:${SAMPLE_TASK_IDS}] as sample_task_ids
      from waiting group by 1, 2, 3, 4, 5
      order by count(*) desc
      limit ${MAX_GROUPS}
    ), partial_states as materialized (
      select w.namespace, w.name, w.step, w.service, w.kind, switchyard_task_steps_state(w.task_id) as partial, count(*)::int as n
      from waiting w group by 1, 2, 3, 4, 5, 6
    ), partial as materialized (
      select p.namespace, p.name, p.step, p.service, p.kind,
        cell->>0 as other_step, cell->>1 as step_service, cell->>2 as status, min((cell->>3)::int) as position, sum(p.n)::int as n
      from partial_states p cross join jsonb_array_elements(p.partial::jsonb) cell
      group by 1, 2, 3, 4, 5, 6, 7, 8
    )
    select g.namespace, g.name, g.step, g.service, g.kind, g.count, g.stuck, ${isoTimeSql(sql`g.waiting_since`)} as waiting_since,
      case when g.until is null then null else ${isoTimeSql(sql`g.until`)} end as until, g.sample_task_ids,
      (select jsonb_agg(jsonb_build_object('step', p.other_step, 'service', p.step_service, 'status', p.status, 'count', p.n, 'position', p.position))
         from partial p where p.namespace = g.namespace and p.name = g.name and p.step = g.step and p.service = g.service
           and p.kind = g.kind) as partial,
      c.state as circuit_state, case when c.opened_at is null then null else ${isoTimeSql(sql`c.opened_at`)} end as opened_at,
      case when c.open_until is null then null else ${isoTimeSql(sql`c.open_until`)} end as next_probe_at,
      h.reason as hold_reason, h.held_by, case when h.held_at is null then null else ${isoTimeSql(sql`h.held_at`)} end as held_at
    from groups g
    left join service_circuits c on c.service = g.service and c.state <> 'closed'
    left join service_holds h on h.service = g.service
    order by g.count desc, g.waiting_since`,
  );
  return rows.map((row) => ({
    namespace: row.namespace,
    name: row.name,
    step: row.step,
    service: row.service,
    kind: row.kind,
    count: row.count,
    stuck: row.stuck,
    waiting_since: row.waiting_since,
    until: row.until,
    circuit: row.circuit_state === null ? null : { state: row.circuit_state, opened_at: row.opened_at, next_probe_at: row.next_probe_at },
    hold:
      row.hold_reason === null || row.held_by === null || row.held_at === null
        ? null
        : { reason: row.hold_reason, held_by: row.held_by, held_at: row.held_at },
    sample_task_id: row.sample_task_ids[0] ?? null,
    sample_task_ids: row.sample_task_ids,
    partial_state: toPartialState(row.partial),
    filter: { namespace: row.namespace, name: row.name, step: row.step, step_status: ['ready', 'waiting_retry'] },
  }));
}

type PartialCell = { step: string; service: string | null; status: string; count: number; position: number };

/** Cells [step, service, status, count, position] → per step of the template, its count in each status, in template order. */
function toPartialState(cells: PartialCell[] | null): FailureGroup['partial_state'] {
  const byStep = new Map<string, { step: string; service: string | null; position: number; status_counts: Record<string, number> }>();
  for (const cell of cells ?? []) {
    const entry = byStep.get(cell.step) ?? { step: cell.step, service: cell.service, position: cell.position, status_counts: {} };
    entry.status_counts[cell.status] = (entry.status_counts[cell.status] ?? 0) + cell.count;
    entry.position = Math.min(entry.position, cell.position);
    byStep.set(cell.step, entry);
  }
  return [...byStep.values()].sort((a, b) => a.position - b.position).map(({ step, service, status_counts }) => ({ step, service, status_counts }));
}

function toFailureGroup(row: GroupRow, stuckBefore: string): FailureGroup {
  const sampleTaskIds = row.sample_task_ids.map(String);
  return {
    namespace: row.namespace,
    name: row.name,
    step: row.step,
    signature: row.signature,
    error_signature: row.error_signature,
    error_class: row.error_class,
    error_code: row.error_code,
    http_status: row.http_status === null ? null : Number(row.http_status),
    message: row.message,
    step_status: row.step_status,
    count: row.count,
    first_seen: row.first_seen,
    last_seen: row.last_seen,
    sample_error: row.sample_error,
    sample_task_id: sampleTaskIds[0] ?? null,
    sample_task_ids: sampleTaskIds,
    partial_state: toPartialState(row.partial),
    filter: {
      namespace: row.namespace,
      name: row.name,
      step: row.step,
      step_status: [row.step_status],
      error_signature: row.error_signature,
      ...(row.step_status === 'error' ? { status: ['error' as const] } : { retrying_before: stuckBefore }),
    },
  };
}
