import { taskFilterSchema } from './schemas/task-filter-schema';
import type { TaskFilter, TaskFilters } from './types';

type FilterProperties = typeof taskFilterSchema.properties;
type TaskFilterKey = keyof FilterProperties;

/** Every filter of GET /tasks, in the order the filter bar shows them (the schema's). */
const TASK_FILTER_KEYS = Object.keys(taskFilterSchema.properties) as TaskFilterKey[];

type ListFilterKey = { [K in TaskFilterKey]: FilterProperties[K] extends { type: 'array' } ? K : never }[TaskFilterKey];

/** The filters that take several values (any of them), comma-separated or repeated, as GET /tasks reads them. */
const LIST_FILTER_KEYS = TASK_FILTER_KEYS.filter((key): key is ListFilterKey => taskFilterSchema.properties[key].type === 'array');

type SearchParamsLike = { get(name: string): string | null; getAll(name: string): string[] };

/** The values of a list filter (`error,cancelled`), trimmed, without empties or repeats, in their order. */
export function splitFilterList(value: string | undefined): string[] {
  const values = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
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
    const value = isListFilterKey(key) ? splitFilterList(params.getAll(key).join(',')).join(',') : params.get(key)?.trim();
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

function isListFilterKey(key: TaskFilterKey): key is ListFilterKey {
  return (LIST_FILTER_KEYS as readonly TaskFilterKey[]).includes(key);
}

function isBooleanFilterKey(key: TaskFilterKey): boolean {
  return (taskFilterSchema.properties[key] as { type?: string }).type === 'boolean';
}

/** The filters as JSON (bulk retry's `filter`): lists as arrays, `true`/`false` as booleans. The server checks the values. */
export function toTaskFilter(filters: TaskFilters): TaskFilter {
  const filter: Record<string, string | string[] | boolean> = {};
  for (const key of TASK_FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) {
      filter[key] = isListFilterKey(key)
        ? splitFilterList(value)
        : isBooleanFilterKey(key) && /^(true|false)$/.test(value)
          ? value === 'true'
          : value;
    }
  }
  return filter;
}

/** The filters of a JSON filter (a failure group's) as the URL carries them: lists comma-separated. */
export function fromTaskFilter(filter: TaskFilter): TaskFilters {
  const filters: TaskFilters = {};
  for (const key of TASK_FILTER_KEYS) {
    const value = filter[key];
    if (value !== undefined) {
      filters[key] = Array.isArray(value) ? value.join(',') : String(value);
    }
  }
  return filters;
}
