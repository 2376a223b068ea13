import { readTaskFilters } from './task-filters';
import type { TaskListParams } from './types';

export const DEFAULT_TASK_PAGE_SIZE = 50;

type SearchParamsLike = { get(name: string): string | null; getAll(name: string): string[] };

/**
 * The GET /tasks request of the task list page at this address: its filters, the page size (`limit`,
 * 50 unless given) and the cursor. The page's server render and the browser read the address with
 * this one function, so both ask for the same rows.
 */
export function readTaskListParams(searchParams: SearchParamsLike): TaskListParams {
  return {
    ...readTaskFilters(searchParams),
    limit: Number(searchParams.get('limit')) || DEFAULT_TASK_PAGE_SIZE,
    cursor: searchParams.get('cursor') ?? undefined,
  };
}

/** A page's `searchParams` prop (Next.js) as URLSearchParams, repeated names kept. */
export function toUrlSearchParams(params: Record<string, string | string[] | undefined>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      search.append(key, item);
    }
  }
  return search;
}
