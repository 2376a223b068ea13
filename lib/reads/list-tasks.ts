import { and, desc, inArray, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { steps, tasks } from '../../db/schema';
import { toSqlList } from '../../db/to-sql-list';
import type { TaskList, TaskListItem, WaitingReason } from '../api/types';
import { InvalidInputError } from '../errors';
import { FINISHED_STEP_STATUSES, REPAIRED_STEP_STATUSES, SATISFIED_STEP_STATUSES, UNFINISHED_STEP_STATUSES } from '../statuses';
import { previewContext } from './preview-context';
import { errorSignatureSql, isoTimeSql, parseFilterTime, taskFilterConditions, type TaskFilter } from './task-filter-sql';
import { toTaskSummary } from './task-views';
import { waitingReasonSql } from './waiting-reason-sql';

export type ListTasksInput = TaskFilter & { limit: number; cursor?: string | undefined };

/** How many unfinished steps a list item names, the most urgent first. */
const OPEN_STEPS_SHOWN = 25;

/** Where a page ended: the last task's id, and its exact creation time (ISO, µs) when the list is in creation order. */
type TaskCursor = { id: number; createdAtExact?: string };

/** Opaque to clients: `t<id>`, or `c<created_at>|<id>` for lists ordered by creation time. */
function encodeTaskCursor(cursor: TaskCursor): string {
  const text = cursor.createdAtExact === undefined ? `t${cursor.id}` : `c${cursor.createdAtExact}|${cursor.id}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decodeTaskCursor(cursor: string): TaskCursor {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^(?:t|c([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)\|)([1-9][0-9]{0,14})$/.exec(decoded);
  if (!match?.[2]) {
    throw new InvalidInputError([{ path: '/cursor', message: 'is not a cursor from this API (use next_cursor of the previous page)' }]);
  }
  if (match[1] !== undefined) {
    parseFilterTime(match[1], '/cursor');
    return { id: Number(match[2]), createdAtExact: match[1] };
  }
  return { id: Number(match[2]) };
}

type StepCounts = {
  task_id: string | number;
  step_count: number;
  steps_done: number;
  steps_undone: number;
  repaired_steps: number;
  open_steps: TaskListItem['open_steps'] | null;
};

const createdAtExact = sql<string>`to_char(${tasks.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One page of tasks matching the filter, newest first, each with a bounded preview of its context
 * (previewContext: a list of 50 contexts of any size stays small). Keyset pagination: a page costs the same at
 * any depth, and tasks created while someone pages through are neither skipped nor repeated. On the
 * id (ids grow with creation), or, when the filter is a creation-time range, on (created_at, id), so
 * that the range is read off the created_at index instead of skipping every newer task.
 */
export async function listTasks(db: DbOrTx, input: ListTasksInput): Promise<TaskList> {
  const conditions = await taskFilterConditions(db, input);
  const byCreationTime = input.created_after !== undefined || input.created_before !== undefined;
  if (input.cursor !== undefined) {
    const cursor = decodeTaskCursor(input.cursor);
    if (byCreationTime !== (cursor.createdAtExact !== undefined)) {
      throw new InvalidInputError([{ path: '/cursor', message: 'belongs to a list with other filters (start again from the first page)' }]);
    }
    conditions.push(
      cursor.createdAtExact === undefined
        ? sql`${tasks.id} < ${cursor.id}`
        : sql`(${tasks.createdAt}, ${tasks.id}) < (${cursor.createdAtExact}::timestamptz, ${cursor.id})`,
    );
  }
  const rows = await db
    .select({ task: tasks, createdAtExact })
    .from(tasks)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(...(byCreationTime ? [desc(tasks.createdAt), desc(tasks.id)] : [desc(tasks.id)]))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit).map((row) => row.task);
  const last = rows[input.limit - 1];
  const nextCursor =
    rows.length > input.limit && last
      ? encodeTaskCursor(byCreationTime ? { id: last.task.id, createdAtExact: last.createdAtExact } : { id: last.task.id })
      : null;
  if (page.length === 0) {
    return { items: [], next_cursor: null };
  }
  const counts = await queryRows<StepCounts>(
    db,
    // step_count, steps_done and steps_undone: the template's steps only (a compensation step is not one).
    sql`select task_id, count(*) filter (where kind = 'step')::int as step_count,
          count(*) filter (where kind = 'step' and status in (${toSqlList(SATISFIED_STEP_STATUSES)}))::int as steps_done,
          count(*) filter (where kind = 'step' and status = 'compensated')::int as steps_undone,
          count(*) filter (where status in (${toSqlList(REPAIRED_STEP_STATUSES)}))::int as repaired_steps,
          (jsonb_agg(jsonb_build_object('name', name, 'status', status, 'attempts', attempts)
             order by array_position(array[${toSqlList(UNFINISHED_STEP_STATUSES)}], status), position)
           filter (where status not in (${toSqlList(FINISHED_STEP_STATUSES)}))) as open_steps
        from ${steps} where ${inArray(
          steps.taskId,
          page.map((task) => task.id),
        )}
        group by task_id`,
  );
  const countsByTask = new Map(counts.map((row) => [Number(row.task_id), row]));
  const { waitingByTask, lastErrorByTask } = await readWaitsAndErrors(
    db,
    page.filter((task) => task.status === 'in_progress').map((task) => task.id),
    page.map((task) => task.id),
  );
  return {
    items: page.map((task) => {
      const count = countsByTask.get(task.id);
      const openSteps = count?.open_steps ?? [];
      const preview = previewContext(task.context as Record<string, unknown>);
      return {
        ...toTaskSummary(task),
        context: preview.context,
        context_truncated: preview.truncated,
        open_steps: openSteps.slice(0, OPEN_STEPS_SHOWN).map((step) => ({ ...step, status: step.status })),
        open_step_count: openSteps.length,
        step_count: count?.step_count ?? 0,
        steps_done: count?.steps_done ?? 0,
        steps_undone: count?.steps_undone ?? 0,
        repaired_steps: count?.repaired_steps ?? 0,
        waiting_reason: waitingByTask.get(task.id) ?? null,
        last_error: lastErrorByTask.get(task.id) ?? null,
      };
    }),
    next_cursor: nextCursor,
  };
}

type ListWaitingReason = NonNullable<TaskListItem['waiting_reason']>;
type ListLastError = NonNullable<TaskListItem['last_error']>;

/**
 * For the tasks in progress (`runningIds`): why their first waiting step waits (a wait on a service
 * before a backoff, then by position); for every task of the page: the latest error among its unfinished
 * steps, by signature.
 */
async function readWaitsAndErrors(
  db: DbOrTx,
  runningIds: number[],
  pageIds: number[],
): Promise<{ waitingByTask: Map<number, ListWaitingReason>; lastErrorByTask: Map<number, ListLastError> }> {
  const waiting =
    runningIds.length === 0
      ? []
      : await queryRows<{ task_id: string | number; step: string; reason: WaitingReason }>(
          db,
          sql`select distinct on (w.task_id) w.task_id, w.step, w.reason from (
                select s.task_id, s.name as step, s.position, ${waitingReasonSql('s')} as reason from ${steps} s
                where s.task_id = any(${`{${runningIds.join(',')}}`}::bigint[]) and s.status in ('ready', 'waiting_retry')
              ) w
              where w.reason is not null
              order by w.task_id, (w.reason->>'kind' = 'backoff'), w.position`,
        );
  const errors = await queryRows<{ task_id: string | number; step: string; signature: string; message: string; at: string | null }>(
    db,
    sql`select distinct on (s.task_id) s.task_id, s.name as step, ${errorSignatureSql('s.last_error')} as signature,
          coalesce(s.last_error->>'message', '') as message, ${isoTimeSql(sql`(s.last_error->>'at')::timestamptz`)} as at
        from ${steps} s
        where s.task_id = any(${`{${pageIds.join(',')}}`}::bigint[]) and s.last_error is not null and s.status in (${toSqlList(UNFINISHED_STEP_STATUSES)})
        order by s.task_id, (s.last_error->>'at')::timestamptz desc nulls last, s.position`,
  );
  return {
    waitingByTask: new Map(waiting.map((row) => [Number(row.task_id), { ...row.reason, step: row.step }])),
    lastErrorByTask: new Map(
      errors.map((row) => [Number(row.task_id), { step: row.step, signature: row.signature, message: row.message, at: row.at }]),
    ),
  };
}
