'use client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useState, useTransition } from 'react';
import { EmptyState } from '../../components/feedback/empty-state';
import { ErrorState } from '../../components/feedback/error-state';
import { LoadingState } from '../../components/feedback/loading-state';
import { StaleDataNotice } from '../../components/feedback/stale-data-notice';
import { BulkRetryDialog, type BulkRetryTarget } from '../../components/tasks/bulk-retry-dialog';
import { TaskFilterBar } from '../../components/tasks/task-filter-bar';
import { TaskTable } from '../../components/tasks/task-table';
import { hasTaskFilters, readTaskFilters, toTaskListSearch } from '../../lib/api/task-filters';
import { useTaskList } from '../../lib/api/tasks';
import type { TaskFilters } from '../../lib/api/types';

const DEFAULT_PAGE_SIZE = 50;

function describeFilters(filters: TaskFilters): string {
  const parts = Object.entries(filters)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key.replace('_', ' ')} = ${value}`);
  return parts.length ? parts.join(', ') : 'no filter';
}

export function TasksPageClient() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => readTaskFilters(searchParams), [searchParams]);
  const cursor = searchParams.get('cursor') ?? undefined;
  const limit = Number(searchParams.get('limit')) || DEFAULT_PAGE_SIZE;
  // Cursors of the pages before this one, so "Previous" can step back (keyset pagination only goes forward).
  const [previousCursors, setPreviousCursors] = useState<(string | undefined)[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkTarget, setBulkTarget] = useState<BulkRetryTarget | null>(null);
  const list = useTaskList({ ...filters, limit, cursor }, { refetchInterval: 5000 });
  // Page changes run as a transition: the page stack and the address change are shown together, so the
  // row numbers never describe the next page over the rows of the last one.
  const [navigating, startNavigation] = useTransition();

  const navigate = useCallback(
    (nextFilters: TaskFilters, nextCursor?: string, mode: 'push' | 'replace' = 'push') => {
      const extra = { cursor: nextCursor, limit: limit === DEFAULT_PAGE_SIZE ? undefined : String(limit) };
      const href = `${pathname}${toTaskListSearch(nextFilters, extra)}`;
      if (mode === 'push') {
        router.push(href, { scroll: false });
      } else {
        router.replace(href, { scroll: false });
      }
    },
    [pathname, router, limit],
  );

  const changeFilters = (next: TaskFilters) => {
    setPreviousCursors([]);
    setSelected(new Set());
    navigate(next);
  };
  const toggle = (taskId: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(taskId)) {
        next.delete(taskId);
      } else {
        next.add(taskId);
      }
      return next;
    });
  const toggleAll = (select: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const task of list.data?.items ?? []) {
        if (select) {
          next.add(task.id);
        } else {
          next.delete(task.id);
        }
      }
      return next;
    });

  const items = list.data?.items ?? [];
  const pageIndex = previousCursors.length + (cursor && previousCursors.length === 0 ? 1 : 0);
  const firstRow = pageIndex * limit + 1;

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Tasks</h1>
          <p>Every task, newest first. Filters live in the address bar: copy it to share this view.</p>
        </div>
      </header>
      <TaskFilterBar filters={filters} onChange={changeFilters} />
      <div className="toolbar">
        <button
          type="button"
          className="button"
          disabled={selected.size === 0}
          onClick={() =>
            setBulkTarget({ kind: 'ids', ids: [...selected], description: `The ${selected.size} selected task${selected.size === 1 ? '' : 's'}.` })
          }
        >
          Retry selected{selected.size ? ` (${selected.size})` : ''}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => setBulkTarget({ kind: 'filter', filter: filters, description: `Every task matching: ${describeFilters(filters)}.` })}
        >
          Retry all matching…
        </button>
        {selected.size > 0 ? (
          <button type="button" className="button subtle" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        ) : null}
        <span className="spacer" />
        {list.isFetching && !list.isPending ? <span className="muted small">refreshing…</span> : null}
      </div>
      <StaleDataNotice query={list} refetch={list.refetch} what="the task list" />
      <div className={`table-card${list.isPlaceholderData ? ' stale' : ''}`} aria-busy={list.isPlaceholderData}>
        {list.isPending ? <LoadingState rows={8} label="Loading tasks…" /> : null}
        {list.isError && !list.data ? <ErrorState error={list.error} title="Could not load the tasks" onRetry={() => void list.refetch()} /> : null}
        {list.data && items.length === 0 ? (
          <EmptyState title={hasTaskFilters(filters) ? 'No task matches these filters' : 'No tasks yet'}>
            {hasTaskFilters(filters) ? (
              <button type="button" className="button small" onClick={() => changeFilters({})}>
                Clear the filters
              </button>
            ) : (
              <p>
                Start one with <code>POST /api/v1/tasks</code>.
              </p>
            )}
          </EmptyState>
        ) : null}
        {items.length > 0 ? <TaskTable tasks={items} selected={selected} onToggle={toggle} onToggleAll={toggleAll} /> : null}
        {list.data && (items.length > 0 || cursor) ? (
          <div className="pagination" data-testid="pagination">
            <span>
              {list.isPlaceholderData || navigating ? 'Loading…' : items.length > 0 ? `Rows ${firstRow}–${firstRow + items.length - 1}` : 'No rows'}
            </span>
            <div className="buttons">
              <button
                type="button"
                className="button small"
                disabled={!cursor || navigating}
                onClick={() => {
                  const previous = previousCursors.at(-1);
                  startNavigation(() => {
                    setPreviousCursors((stack) => stack.slice(0, -1));
                    navigate(filters, previous);
                  });
                }}
              >
                ← Previous
              </button>
              <button
                type="button"
                className="button small"
                disabled={!list.data.next_cursor || list.isPlaceholderData || navigating}
                onClick={() => {
                  startNavigation(() => {
                    setPreviousCursors((stack) => [...stack, cursor]);
                    navigate(filters, list.data.next_cursor ?? undefined);
                  });
                }}
              >
                Next →
              </button>
            </div>
          </div>
        ) : null}
      </div>
      <BulkRetryDialog target={bulkTarget} onClose={() => setBulkTarget(null)} />
    </>
  );
}
