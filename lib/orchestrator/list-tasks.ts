import { and, desc, inArray, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../db/client';
import { steps, tasks } from '../../db/schema';
import type { TaskList, TaskListItem } from '../api/types';
import { InvalidInputError } from '../errors';
import type { StepStatus } from '../statuses';
import { type TaskFilter, taskFilterConditions } from './task-filter-sql';
import { toTaskSummary } from './task-views';

export type ListTasksInput = TaskFilter & { limit: number; cursor?: string | undefined };

/** How many unfinished steps a list item names, the most urgent first. */
const OPEN_STEPS_SHOWN = 25;

/** Opaque to clients: the id of the last task of the page. */
export function encodeTaskCursor(taskId: number): string {
  return Buffer.from(`t${taskId}`, 'utf8').toString('base64url');
}

export function decodeTaskCursor(cursor: string): number {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^t([1-9][0-9]{0,14})$/.exec(decoded);
  if (!match?.[1]) {
    throw new InvalidInputError([{ path: '/cursor', message: 'is not a cursor from this API (use next_cursor of the previous page)' }]);
  }
  return Number(match[1]);
}

type StepCounts = { task_id: string | number; step_count: number; steps_done: number; open_steps: TaskListItem['open_steps'] | null };

/**
 * One page of tasks matching the filter, newest first. Keyset pagination on the id (ids grow with
 * creation): a page costs the same at any depth, and tasks created while someone pages through are
 * neither skipped nor repeated.
 */
export async function listTasks(db: DbOrTx, input: ListTasksInput): Promise<TaskList> {
  const conditions = taskFilterConditions(input);
  if (input.cursor !== undefined) {
    conditions.push(sql`${tasks.id} < ${decodeTaskCursor(input.cursor)}`);
  }
  const rows = await db
    .select()
    .from(tasks)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(tasks.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > input.limit && last ? encodeTaskCursor(last.id) : null;
  if (page.length === 0) {
    return { items: [], next_cursor: null };
  }
  const counts = await queryRows<StepCounts>(
    db,
    sql`select task_id, count(*)::int as step_count,
          count(*) filter (where status in ('complete', 'resolved_manually', 'skipped'))::int as steps_done,
          (jsonb_agg(jsonb_build_object('name', name, 'status', status, 'attempts', attempts)
             order by array_position(array['error', 'waiting_retry', 'in_progress', 'ready', 'pending'], status), position)
           filter (where status not in ('complete', 'resolved_manually', 'skipped', 'cancelled'))) as open_steps
        from ${steps} where ${inArray(steps.taskId, page.map((task) => task.id))}
        group by task_id`,
  );
  const countsByTask = new Map(counts.map((row) => [Number(row.task_id), row]));
  return {
    items: page.map((task) => {
      const count = countsByTask.get(task.id);
      const openSteps = count?.open_steps ?? [];
      return {
        ...toTaskSummary(task),
        open_steps: openSteps.slice(0, OPEN_STEPS_SHOWN).map((step) => ({ ...step, status: step.status as StepStatus })),
        open_step_count: openSteps.length,
        step_count: count?.step_count ?? 0,
        steps_done: count?.steps_done ?? 0,
      };
    }),
    next_cursor: nextCursor,
  };
}
