import type { TaskFilters } from './types';

/** Every filter of GET /tasks, in the order the filter bar shows them. */
export const TASK_FILTER_KEYS = ['status', 'namespace', 'name', 'step', 'step_status', 'error_signature', 'q', 'created_after', 'created_before', 'failed_after'] as const;
export type TaskFilterKey = (typeof TASK_FILTER_KEYS)[number];

type SearchParamsLike = { get(name: string): string | null };

/** The filters found in a query string; empty values are dropped so two equal views share a key. */
export function readTaskFilters(params: SearchParamsLike): TaskFilters {
  const filters: TaskFilters = {};
  for (const key of TASK_FILTER_KEYS) {
    const value = params.get(key)?.trim();
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
