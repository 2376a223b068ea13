import { queryOptions, useQuery } from '@tanstack/react-query';
import { TASK_STATUSES, type TaskStatus } from '../statuses';
import { fetchJson, fetchText, toQueryString } from './fetch-json';
import { readPrometheusSamples } from './prometheus-text';
import type { TaskFilters, TaskList, TaskListItem } from './types';

/** How many tasks one overview scan reads at most per question; beyond it counts show "N+". */
export const OVERVIEW_SCAN_CAP = 2000;
const PAGE_SIZE = 500;
const HOUR_MS = 3_600_000;
/** A task that has not moved for this long while unfinished counts as stuck. */
export const STUCK_AFTER_MS = 5 * 60_000;

export type CappedCount = { count: number; capped: boolean };

export type TemplateCounts = { namespace: string; name: string; total: number; byStatus: Partial<Record<TaskStatus, number>> };

export type Overview = {
  generatedAt: string;
  since: string;
  /** Exact counts of every task (from the metrics gauges), or of the last day's scan when metrics are unavailable. */
  counts: { scope: 'all' | 'last_24h'; capped: boolean; byStatus: Record<TaskStatus, number>; byTemplate: TemplateCounts[] };
  recent: CappedCount & {
    /** 24 hourly buckets, oldest first. */
    buckets: { start: string; total: number; byStatus: Partial<Record<TaskStatus, number>> }[];
  };
  failed: CappedCount & { lastHour: number };
  running: CappedCount;
  waitingRetry: CappedCount & { steps: number };
  oldestStuck: TaskListItem | null;
};

async function scanTasks(filters: TaskFilters, signal: AbortSignal, cap = OVERVIEW_SCAN_CAP): Promise<{ items: TaskListItem[]; capped: boolean }> {
  const items: TaskListItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchJson<TaskList>(`/api/v1/tasks${toQueryString({ ...filters, limit: PAGE_SIZE, cursor })}`, { signal });
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && items.length < cap);
  return { items: items.slice(0, cap), capped: Boolean(cursor) || items.length > cap };
}

function emptyStatusCounts(): Record<TaskStatus, number> {
  return Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
}

/** Pure: the overview's figures from the scanned task lists. */
export function summarizeOverview(
  scans: {
    recent: { items: TaskListItem[]; capped: boolean };
    failed: { items: TaskListItem[]; capped: boolean };
    waiting: { items: TaskListItem[]; capped: boolean };
    running: { items: TaskListItem[]; capped: boolean };
  },
  now: Date,
  /** GET /api/v1/metrics; undefined when it could not be read. */
  metricsText?: string,
): Overview {
  const since = new Date(now.getTime() - 24 * HOUR_MS);
  // The last bucket is the current hour; the first also takes the part-hour at the start of the window.
  const firstBucket = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  const buckets = Array.from({ length: 24 }, (_, index) => ({
    start: new Date(firstBucket + index * HOUR_MS).toISOString(),
    total: 0,
    byStatus: {} as Partial<Record<TaskStatus, number>>,
  }));
  const recentCounts = countTasks(scans.recent.items.map((task) => ({ namespace: task.namespace, name: task.name, status: task.status, count: 1 })));
  const metricCounts = metricsText === undefined ? undefined : readTaskGauge(metricsText);
  const waitingSteps = metricsText === undefined ? undefined : readStepGauge(metricsText, 'waiting_retry');
  for (const task of scans.recent.items) {
    const index = Math.floor((new Date(task.created_at).getTime() - firstBucket) / HOUR_MS);
    const bucket = buckets[Math.min(Math.max(index, 0), buckets.length - 1)];
    if (bucket) {
      bucket.total += 1;
      bucket.byStatus[task.status] = (bucket.byStatus[task.status] ?? 0) + 1;
    }
  }
  const hourAgo = now.getTime() - HOUR_MS;
  const stuckBefore = now.getTime() - STUCK_AFTER_MS;
  const stuck = [
    ...scans.failed.items,
    ...scans.running.items.filter((task) => new Date(task.updated_at).getTime() < stuckBefore),
  ].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const counts = metricCounts
    ? { scope: 'all' as const, capped: false, ...metricCounts }
    : { scope: 'last_24h' as const, capped: scans.recent.capped, ...recentCounts };
  return {
    generatedAt: now.toISOString(),
    since: since.toISOString(),
    counts,
    recent: { count: scans.recent.items.length, capped: scans.recent.capped, buckets },
    failed: {
      count: metricCounts ? metricCounts.byStatus.error : scans.failed.items.length,
      capped: metricCounts ? false : scans.failed.capped,
      lastHour: scans.failed.items.filter((task) => new Date(task.updated_at).getTime() >= hourAgo).length,
    },
    running: {
      count: metricCounts ? metricCounts.byStatus.in_progress : scans.running.items.length,
      capped: metricCounts ? false : scans.running.capped,
    },
    waitingRetry: {
      count: scans.waiting.items.length,
      capped: scans.waiting.capped,
      steps: waitingSteps ?? scans.waiting.items.reduce((sum, task) => sum + task.open_steps.filter((step) => step.status === 'waiting_retry').length, 0),
    },
    oldestStuck: stuck[0] ?? null,
  };
}

/** Counts by status and by template from (namespace, name, status, count) rows. */
function countTasks(rows: { namespace: string; name: string; status: string; count: number }[]): Pick<Overview['counts'], 'byStatus' | 'byTemplate'> {
  const byStatus = emptyStatusCounts();
  const templates = new Map<string, TemplateCounts>();
  for (const row of rows) {
    const status = row.status as TaskStatus;
    byStatus[status] = (byStatus[status] ?? 0) + row.count;
    const key = `${row.namespace}/${row.name}`;
    const template = templates.get(key) ?? { namespace: row.namespace, name: row.name, total: 0, byStatus: {} };
    template.total += row.count;
    template.byStatus[status] = (template.byStatus[status] ?? 0) + row.count;
    templates.set(key, template);
  }
  return { byStatus, byTemplate: [...templates.values()].sort((a, b) => b.total - a.total) };
}

function readTaskGauge(metricsText: string): Pick<Overview['counts'], 'byStatus' | 'byTemplate'> | undefined {
  const samples = readPrometheusSamples(metricsText, 'switchyard_tasks');
  if (samples.length === 0 && !metricsText.includes('switchyard_tasks')) {
    return undefined;
  }
  return countTasks(
    samples
      .filter((sample) => sample.labels.namespace && sample.labels.name && sample.labels.status && sample.value > 0)
      .map((sample) => ({ namespace: sample.labels.namespace!, name: sample.labels.name!, status: sample.labels.status!, count: sample.value })),
  );
}

function readStepGauge(metricsText: string, status: string): number | undefined {
  return readPrometheusSamples(metricsText, 'switchyard_steps').find((sample) => sample.labels.status === status)?.value;
}

export const overviewKeys = { all: ['overview'] as const };

export const overviewOptions = () =>
  queryOptions({
    queryKey: overviewKeys.all,
    queryFn: async ({ signal }) => {
      const now = new Date();
      const since = new Date(now.getTime() - 24 * HOUR_MS).toISOString();
      const [recent, failed, waiting, running, metricsText] = await Promise.all([
        scanTasks({ created_after: since }, signal),
        scanTasks({ status: 'error' }, signal),
        scanTasks({ step_status: 'waiting_retry' }, signal),
        scanTasks({ status: 'in_progress' }, signal, 1000),
        // Exact counts of every task come from the metrics gauges; without them the scans still tell a story.
        fetchText('/api/v1/metrics', { signal }).catch(() => undefined),
      ]);
      return summarizeOverview({ recent, failed, waiting, running }, now, metricsText);
    },
    refetchInterval: 5000,
  });

export const useOverview = () => useQuery(overviewOptions());
