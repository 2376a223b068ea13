'use client';

import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useId, useMemo, useState, useTransition } from 'react';
import { BulkCompensateDialog, type BulkCompensateTarget } from '../../components/failures/bulk-compensate-dialog';
import { EmptyState } from '../../components/feedback/empty-state';
import { ErrorState } from '../../components/feedback/error-state';
import { LoadingState } from '../../components/feedback/loading-state';
import { blockedBy, PermissionNote } from '../../components/feedback/permission-note';
import { StaleDataNotice } from '../../components/feedback/stale-data-notice';
import { BulkCancelDialog, type BulkCancelTarget } from '../../components/tasks/bulk-cancel-dialog';
import { BulkRetryDialog, type BulkRetryTarget } from '../../components/tasks/bulk-retry-dialog';
import { describeRows, findPagePosition, rememberNextPage, type PageHistory } from '../../components/tasks/page-history';
import { TaskFilterBar } from '../../components/tasks/task-filter-bar';
import { TaskTable } from '../../components/tasks/task-table';
import { toQueryString } from '../../lib/api/fetch-json';
import { usePermission } from '../../lib/api/session';
import { hasTaskFilters, readTaskFilters, toTaskListSearch } from '../../lib/api/task-filters';
import { DEFAULT_TASK_PAGE_SIZE as DEFAULT_PAGE_SIZE, readTaskListParams } from '../../lib/api/task-list-params';
import { useTaskList, type ServerRead } from '../../lib/api/tasks';
import type { TaskFilters, TaskList, TaskListParams } from '../../lib/api/types';

function describeFilters(filters: TaskFilters): string {
  const parts = Object.entries(filters)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key.replace('_', ' ')} = ${value}`);
  return parts.length ? parts.join(', ') : 'no filter';
}

/** The rows the server read for the address the page was opened at (app/tasks/page.tsx), if it read them. */
type InitialList = ServerRead<TaskList> & { params: TaskListParams };

export function TasksPageClient({ initialList }: { initialList?: InitialList }) {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => readTaskFilters(searchParams), [searchParams]);
  const { cursor, limit = DEFAULT_PAGE_SIZE } = readTaskListParams(searchParams);
  // Where each page reached with "Next" sits, so "Previous" can step back (keyset pagination only goes
  // forward). Keyed by cursor, so the browser's Back and Forward find their page too.
  const [pageHistory, setPageHistory] = useState<PageHistory>(() => new Map());
  const listScope = toTaskListSearch(filters, { limit: String(limit) });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkTarget, setBulkTarget] = useState<BulkRetryTarget | null>(null);
  // One note for the toolbar's actions: retry, compensate and cancel need the same role.
  const mayRetry = usePermission('operator', 'retry, compensate or cancel tasks');
  const [compensateTarget, setCompensateTarget] = useState<BulkCompensateTarget | null>(null);
  const [cancelTarget, setCancelTarget] = useState<BulkCancelTarget | null>(null);
  const retryNoteId = useId();
  const listParams = { ...filters, limit, cursor };
  // The server's rows start the query of the address they were read for, not of a page reached since.
  const initial = initialList && toQueryString(initialList.params) === toQueryString(listParams) ? initialList : undefined;
  const list = useTaskList(listParams, { refetchInterval: 5000, initial });
  // Page changes run as a transition: the page history and the address change are shown together, so the
  // row numbers never describe the next page over the rows of the last one.
  const [navigating, startNavigation] = useTransition();

  const navigate = useCallback(
    (nextFilters: TaskFilters, nextCursor?: string, mode: 'push' | 'replace' = 'push') => {
      const extra = { cursor: nextCursor, limit: limit === DEFAULT_PAGE_SIZE ? undefined : String(limit) };
      const href = `${pathname}${toTaskListSearch(nextFilters, extra)}`;
      // The History API, not router.push: Next.js follows it in useSearchParams without asking the server
      // for the page again (a round trip that took most of a page change's ≈ 0.7 s).
      if (mode === 'push') {
        window.history.pushState(null, '', href);
      } else {
        window.history.replaceState(null, '', href);
      }
    },
    [pathname, limit],
  );

  const changeFilters = (next: TaskFilters) => {
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
  // Unknown for a page opened from a link with a cursor: its rows are not numbered, and "First page" replaces
  // "Previous". Pages reached with Next from there know their way back, and still offer "First page".
  const position = findPagePosition(pageHistory, listScope, cursor);
  const isPlaceUnknown = Boolean(cursor) && position?.index === undefined;

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
          {...blockedBy(mayRetry, retryNoteId)}
          onClick={() =>
            setBulkTarget({ kind: 'ids', ids: [...selected], description: `The ${selected.size} selected task${selected.size === 1 ? '' : 's'}.` })
          }
        >
          Retry selected{selected.size ? ` (${selected.size})` : ''}
        </button>
        <button
          type="button"
          className="button"
          {...blockedBy(mayRetry, retryNoteId)}
          onClick={() => setBulkTarget({ kind: 'filter', filter: filters, description: `Every task matching: ${describeFilters(filters)}.` })}
        >
          Retry all matching…
        </button>
        <button
          type="button"
          className="button"
          data-testid="compensate-selected"
          disabled={selected.size === 0}
          {...blockedBy(mayRetry, retryNoteId)}
          onClick={() =>
            setCompensateTarget({
              ids: [...selected],
              description: `The ${selected.size} selected task${selected.size === 1 ? '' : 's'} (those in error or cancelled).`,
            })
          }
        >
          Compensate selected…
        </button>
        <button
          type="button"
          className="button"
          data-testid="cancel-selected"
          disabled={selected.size === 0}
          {...blockedBy(mayRetry, retryNoteId)}
          onClick={() =>
            setCancelTarget({
              ids: [...selected],
              description: `The ${selected.size} selected task${selected.size === 1 ? '' : 's'} (those not finished: pending, in progress, in error or compensating).`,
            })
          }
        >
          Cancel selected…
        </button>
        {selected.size > 0 ? (
          <button type="button" className="button subtle" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        ) : null}
        <PermissionNote permission={mayRetry} id={retryNoteId} />
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
            <span>{list.isPlaceholderData || navigating ? 'Loading…' : describeRows(position, limit, items.length)}</span>
            <div className="buttons">
              {isPlaceUnknown ? (
                <button
                  type="button"
                  className="button small"
                  disabled={navigating}
                  title="This page was opened from a link: the pages before it are not known here"
                  onClick={() => startNavigation(() => navigate(filters))}
                >
                  ⇤ First page
                </button>
              ) : null}
              {position ? (
                <button
                  type="button"
                  className="button small"
                  disabled={!cursor || navigating}
                  onClick={() => startNavigation(() => navigate(filters, position.previousCursor))}
                >
                  ← Previous
                </button>
              ) : null}
              <button
                type="button"
                className="button small"
                disabled={!list.data.next_cursor || list.isPlaceholderData || navigating}
                onClick={() => {
                  const nextCursor = list.data.next_cursor;
                  if (!nextCursor) {
                    return;
                  }
                  startNavigation(() => {
                    setPageHistory((history) => rememberNextPage(history, listScope, cursor, nextCursor));
                    navigate(filters, nextCursor);
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
      {compensateTarget ? <BulkCompensateDialog target={compensateTarget} onClose={() => setCompensateTarget(null)} /> : null}
      {cancelTarget ? <BulkCancelDialog target={cancelTarget} onClose={() => setCancelTarget(null)} /> : null}
    </>
  );
}
