import type { TaskFilters } from './types';

/** Every filter of GET /tasks, in the order the filter bar shows them. */
export const TASK_FILTER_KEYS = ['status', 'namespace', 'name', 'step', 'step_status', 'error_signature', 'q', 'created_after', 'created_before', 'failed_after', 'retrying_before'] as const;
export type TaskFilterKey = (typeof TASK_FILTER_KEYS)[number];

/** The filters that take several values (any of them), comma-separated or repeated, as GET /tasks reads them. */
export const LIST_FILTER_KEYS = ['status', 'step_status'] as const satisfies readonly TaskFilterKey[];

type SearchParamsLike = { get(name: string): string | null; getAll(name: string): string[] };

/** The values of a list filter (`error,cancelled`), trimmed, without empties or repeats, in their order. */
export function splitFilterList(value: string | undefined): string[] {
  const values = (value ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
  return [...new Set(values)];
}

/**
 * The filters found in a query string; empty values are dropped so two equal views share a key. A list
 * filter may come comma-separated or repeated (`status=error&status=cancelled`); it is kept as one
 * comma-separated string.
 */
export function readTaskFilters(params: SearchParamsLike): TaskFilters {
  const filters: TaskFilters = {};
  for (const key of TASK_FILTER_KEYS) {
    const value = (LIST_FILTER_KEYS as readonly string[]).includes(key) ? splitFilterList(params.getAll(key).join(',')).join(',') : params.get(key)?.trim();
    if (value) {
      filters[key] = value;
    }
  }
  return filters;
}

/** The query string of a filtered task list (`?status=error&name=…`), '' when unfiltered. */
export function toTaskListSearch(filters: TaskFilters, extra: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const key of TASK_FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) {
      search.set(key, value);
    }
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value) {
      search.set(key, value);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A link to the task list with these filters, for every number on the dashboard. */
export function taskListHref(filters: TaskFilters): string {
  return `/tasks${toTaskListSearch(filters)}`;
}

export function hasTaskFilters(filters: TaskFilters): boolean {
  return TASK_FILTER_KEYS.some((key) => Boolean(filters[key]));
}
