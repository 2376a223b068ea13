import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { failingSteps, steps, tasks } from '../../db/schema';
import type { Overview, OverviewHour, OverviewStuckTask, TaskStatusCounts, TemplateTaskCounts } from '../api/types';
import { DEFAULT_STUCK_AFTER_SECONDS } from '../env';
import { TASK_STATUSES, type StepStatus, type TaskStatus } from '../statuses';
import { readSharedMetricsSnapshot, SHARED_SNAPSHOT_MAX_AGE_MS, type MetricsSnapshot } from './read-metrics-snapshot';
import { shareRead } from './share-read';
import { readStuckSteps, type StuckSteps } from './stuck-steps';
import { isoTimeSql } from './task-filter-sql';

const HOUR_MS = 3_600_000;
const HOURS_SHOWN = 24;

type HourRow = { hour: number; namespace: string; name: string; status: TaskStatus; count: number };
type FailingRow = { failed_last_hour: number; waiting_tasks: number; waiting_steps: number };
type StuckRow = {
  id: string | number;
  namespace: string;
  name: string;
  version: string;
  status: 'error' | 'in_progress';
  created_at: string;
  stuck_since: string;
  step_name: string | null;
  step_status: StepStatus | null;
};

type OverviewRows = {
  stuckAfterSeconds: number;
  stuckSteps: StuckSteps;
  now: Date;
  since: Date;
  until: Date;
  hourAgo: Date;
  hours: HourRow[];
  failing: FailingRow | undefined;
  stuck: StuckRow | undefined;
};

/**
 * The overview's figures, exact for the whole database. Counts by status and template are the snapshot
 * GET /metrics shows (readSharedMetricsSnapshot: the one statement that reads every task); the rest is
 * read off indexes and failing_steps (readOverviewRows). Both reads are shared by the callers of up to
 * `maxAgeMs` (every open overview asks every 5 s); `now` is for tests, with maxAgeMs 0.
 */
export async function readOverview(
  db: DbOrTx,
  {
    maxAgeMs = SHARED_SNAPSHOT_MAX_AGE_MS,
    now,
    stuckAfterSeconds = DEFAULT_STUCK_AFTER_SECONDS,
  }: { maxAgeMs?: number; now?: Date; stuckAfterSeconds?: number } = {},
): Promise<Overview> {
  const [counts, rows] = await Promise.all([
    readSharedMetricsSnapshot(db, { maxAgeMs, stuckAfterSeconds }),
    shareRead(`overview-rows-${stuckAfterSeconds}`, db, maxAgeMs, () => readOverviewRows(db, now ?? new Date(), stuckAfterSeconds)),
  ]);
  return toOverview(counts.snapshot, counts.readAt, rows.value);
}

/**
 * - tasks created per hour over the last 24 UTC hours (the current one last), by template and status,
 *   from the tasks_created_at range;
 * - tasks failed in the last hour, and steps (and their tasks) waiting to retry, from failing_steps;
 * - the steps waiting on a service, and those waiting for longer than `stuckAfterSeconds` (readStuckSteps:
 *   the one rule of "stuck");
 * - the oldest stuck task: the oldest in error (from the head of tasks_status_id; ids grow with creation),
 *   or with a step stuck waiting.
 */
async function readOverviewRows(db: DbOrTx, now: Date, stuckAfterSeconds: number): Promise<OverviewRows> {
  const since = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - (HOURS_SHOWN - 1) * HOUR_MS);
  const until = new Date(since.getTime() + HOURS_SHOWN * HOUR_MS);
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const stuckSteps = await readStuckSteps(db, { stuckAfterSeconds, now });
  const hours = await queryRows<HourRow>(
    db,
    sql`select floor(extract(epoch from t.created_at - ${since.toISOString()}::timestamptz) / 3600)::int as hour,
          t.namespace, t.name, t.status, count(*)::int as count
        from ${tasks} t
        where t.created_at >= ${since.toISOString()}::timestamptz and t.created_at < ${until.toISOString()}::timestamptz
        group by 1, 2, 3, 4`,
  );
  // failing_steps (kept by triggers, db/migrations/0005_failing_steps.sql) holds a row per step in error
  // of a task in error, and per step waiting to retry: far fewer rows than tasks.
  const [failing] = await queryRows<FailingRow>(
    db,
    sql`select count(distinct f.task_id) filter (where f.status = 'error' and f.failed_at >= ${hourAgo.toISOString()}::timestamptz)::int as failed_last_hour,
          count(distinct f.task_id) filter (where f.status = 'waiting_retry')::int as waiting_tasks,
          count(*) filter (where f.status = 'waiting_retry')::int as waiting_steps
        from ${failingSteps} f`,
  );
  const [stuck] = await queryRows<StuckRow>(
    db,
    sql`with candidates as (
          (select t.id from ${tasks} t where t.status = 'error' order by t.id limit 1)
          union all
          select id from (values (${stuckSteps.oldestTask?.taskId ?? null}::bigint)) stuck(id) where id is not null
        )
        select t.id, t.namespace, t.name, t.version, t.status, ${isoTimeSql(sql`t.created_at`)} as created_at,
          ${isoTimeSql(sql`case when t.status = 'error' then t.updated_at else ${stuckSteps.oldestTask?.since ?? null}::timestamptz end`)} as stuck_since,
          step.name as step_name, step.status as step_status
        from ${tasks} t
        left join lateral (
          select s.name, s.status from ${steps} s
          where s.task_id = t.id and s.status in ('error', 'waiting_retry', 'in_progress', 'ready')
          order by s.name = ${stuckSteps.oldestTask?.step ?? null} and t.status <> 'error' desc nulls last,
            case s.status when 'error' then 0 when 'waiting_retry' then 1 when 'in_progress' then 2 else 3 end, s.position
          limit 1
        ) step on true
        where t.id in (select id from candidates)
        order by t.id
        limit 1`,
  );
  return { stuckAfterSeconds, stuckSteps, now, since, until, hourAgo, hours, failing, stuck };
}

function toOverview(
  snapshot: MetricsSnapshot,
  countsReadAt: Date,
  { stuckAfterSeconds, stuckSteps, now, since, until, hourAgo, hours: hourRows, failing, stuck }: OverviewRows,
): Overview {
  const byStatus = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  const templates = new Map<string, TemplateTaskCounts>();
  for (const row of snapshot.tasks) {
    const status = row.status as TaskStatus;
    byStatus[status] += row.count;
    addCount(templates, row.namespace, row.name, status, row.count);
  }
  const hours = Array.from({ length: HOURS_SHOWN }, (_, index) => ({
    start: new Date(since.getTime() + index * HOUR_MS).toISOString(),
    total: 0,
    by_status: noTaskCounts(),
    templates: new Map<string, TemplateTaskCounts>(),
  }));
  for (const row of hourRows) {
    const hour = hours[row.hour];
    if (hour) {
      hour.total += row.count;
      hour.by_status[row.status] = (hour.by_status[row.status] ?? 0) + row.count;
      addCount(hour.templates, row.namespace, row.name, row.status, row.count);
    }
  }
  return {
    generated_at: now.toISOString(),
    counts_read_at: countsReadAt.toISOString(),
    tasks: {
      total: Object.values(byStatus).reduce((sum, count) => sum + count, 0),
      by_status: byStatus,
      by_template: toTemplateList(templates),
    },
    created_per_hour: {
      since: since.toISOString(),
      until: until.toISOString(),
      total: hours.reduce((sum, hour) => sum + hour.total, 0),
      hours: hours.map(({ templates: hourTemplates, by_status, ...hour }): OverviewHour => ({
        ...hour,
        by_status: inStatusOrder(by_status),
        by_template: toTemplateList(hourTemplates),
      })),
    },
    failed: { tasks: byStatus.error, last_hour: failing?.failed_last_hour ?? 0, last_hour_since: hourAgo.toISOString() },
    waiting_retry: { tasks: failing?.waiting_tasks ?? 0, steps: failing?.waiting_steps ?? 0 },
    running: { tasks: byStatus.in_progress },
    stuck_after_minutes: Math.ceil(stuckAfterSeconds / 60),
    stuck_after_seconds: stuckAfterSeconds,
    stuck: { tasks: stuckSteps.stuckTasks, steps: stuckSteps.stuckSteps },
    waiting_on_services: {
      tasks: stuckSteps.serviceWaitTasks,
      steps: stuckSteps.serviceWaitSteps,
      by_kind: stuckSteps.serviceWaitsByKind,
    },
    oldest_stuck: stuck ? toStuckTask(stuck) : null,
  };
}

function addCount(templates: Map<string, TemplateTaskCounts>, namespace: string, name: string, status: TaskStatus, count: number): void {
  const key = JSON.stringify([namespace, name]);
  const template = templates.get(key) ?? { namespace, name, total: 0, by_status: {} };
  template.total += count;
  template.by_status[status] = (template.by_status[status] ?? 0) + count;
  templates.set(key, template);
}

/** Biggest first, each with its statuses in the order of the state machine. */
function toTemplateList(templates: Map<string, TemplateTaskCounts>): TemplateTaskCounts[] {
  return [...templates.values()]
    .sort((a, b) => b.total - a.total || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    .map((template) => ({ ...template, by_status: inStatusOrder(template.by_status) }));
}

function inStatusOrder(counts: TaskStatusCounts): TaskStatusCounts {
  return Object.fromEntries(TASK_STATUSES.filter((status) => counts[status] !== undefined).map((status) => [status, counts[status]]));
}

function toStuckTask(row: StuckRow): OverviewStuckTask {
  return {
    id: String(row.id),
    namespace: row.namespace,
    name: row.name,
    version: row.version,
    status: row.status,
    created_at: row.created_at,
    stuck_since: row.stuck_since,
    step: row.step_name !== null && row.step_status !== null ? { name: row.step_name, status: row.step_status } : null,
  };
}

function noTaskCounts(): TaskStatusCounts {
  return {};
}
