'use client';

import { useQueryClient } from '@tanstack/react-query';
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ErrorMessage, ErrorState } from '../../../components/feedback/error-state';
import { LoadingState } from '../../../components/feedback/loading-state';
import { blockedBy, PermissionNote } from '../../../components/feedback/permission-note';
import { isRefreshFailing } from '../../../components/feedback/stale-data';
import { StaleDataNotice } from '../../../components/feedback/stale-data-notice';
import { JsonView } from '../../../components/json/json-view';
import { focusWhenShown, useEscapeKey } from '../../../components/shell/keyboard-shortcuts';
import { Link } from '../../../components/shell/link';
import { StatusBadge } from '../../../components/status/status-badge';
import { StatusLegend } from '../../../components/task-graph/status-legend';
import { TaskGraph } from '../../../components/task-graph/task-graph';
import { AttemptTimeline } from '../../../components/tasks/attempt-timeline';
import { CompensateTaskAction } from '../../../components/tasks/compensate-task-dialog';
import { ContextEditor } from '../../../components/tasks/context-editor';
import { RepairsBadge } from '../../../components/tasks/repairs-badge';
import { StepPanel } from '../../../components/tasks/step-panel';
import { TransitionList } from '../../../components/tasks/transition-list';
import { durationBetween, formatDuration } from '../../../components/time/format-time';
import { RelativeTime } from '../../../components/time/relative-time';
import { isApiError } from '../../../lib/api/api-error';
import { usePermission } from '../../../lib/api/session';
import { taskListHref } from '../../../lib/api/task-filters';
import {
  taskChangeSignature,
  taskKeys,
  useRetryTask,
  useTaskDetail,
  useTaskEvents,
  useTaskTransitions,
  type ServerRead,
} from '../../../lib/api/tasks';
import type { TaskDetail, Transition } from '../../../lib/api/types';
import { canEditTaskContext, isStepRepaired, isStepSatisfied, isTaskFinished } from '../../../lib/statuses';

/** `initialTask`: the task as the server read it for this page's HTML (app/tasks/[taskId]/page.tsx), if it did. */
export function TaskPageClient({ taskId, initialTask }: { taskId: string; initialTask?: ServerRead<TaskDetail> }) {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const queryClient = useQueryClient();
  const [terminal, setTerminal] = useState(false);
  const connection = useTaskEvents(taskId, !terminal);
  const detail = useTaskDetail(taskId, { pushed: connection === 'open', initial: initialTask });
  const transitions = useTaskTransitions(taskId);
  const [editingContext, setEditingContext] = useState(false);
  const mayEditContext = usePermission('operator', 'edit the context');
  const task = detail.data;
  const selectedName = searchParams.get('step');
  const selectedStep = task?.steps.find((step) => step.name === selectedName) ?? null;

  useEffect(() => {
    setTerminal(isTaskFinished(task?.status));
  }, [task?.status]);

  // Whenever a step moves (pushed or polled), refresh the audit trail and attempts.
  const signature = taskChangeSignature(task);
  const lastSignature = useRef<string | null>(null);
  useEffect(() => {
    if (!signature) {
      return;
    }
    if (lastSignature.current !== null && lastSignature.current !== signature) {
      void queryClient.invalidateQueries({ queryKey: taskKeys.history(taskId) });
    }
    lastSignature.current = signature;
  }, [signature, queryClient, taskId]);

  const selectStep = useCallback(
    (step: string | null) => {
      const params = new URLSearchParams(searchParams.toString());
      if (step) {
        params.set('step', step);
      } else {
        params.delete('step');
      }
      const query = params.toString();
      // The History API: Next.js follows it in useSearchParams without asking the server for the page again.
      window.history.pushState(null, '', `${pathname}${query ? `?${query}` : ''}`);
    },
    [pathname, searchParams],
  );
  const onSelectStep = useCallback((step: string) => selectStep(step), [selectStep]);
  // Closing the panel (its × or Escape) gives focus back to its step in the graph.
  const closeStep = useCallback(() => {
    selectStep(null);
    if (selectedName) {
      focusWhenShown(`.react-flow__node[data-id="${CSS.escape(selectedName)}"]`);
    }
  }, [selectStep, selectedName]);
  useEscapeKey(selectedStep ? closeStep : null);

  if (detail.isPending) {
    return <LoadingState rows={8} label="Loading the task…" />;
  }
  if (detail.isError && !task) {
    const notFound = isApiError(detail.error) && detail.error.status === 404;
    return (
      <>
        <p className="breadcrumb">
          <Link href="/tasks">Tasks</Link> / #{taskId}
        </p>
        <ErrorState
          error={detail.error}
          title={notFound ? `There is no task #${taskId}` : 'Could not load the task'}
          onRetry={() => void detail.refetch()}
        />
      </>
    );
  }
  if (!task) {
    return null;
  }
  // Until the task is finished a failed refresh is retried every second, unless the stream is open: the
  // detail query does not poll then, and the notice must not promise a retry.
  const polling = !isTaskFinished(task.status) && connection !== 'open';
  return (
    <>
      <p className="breadcrumb">
        <Link href="/tasks">Tasks</Link> / <Link href={taskListHref({ namespace: task.namespace, name: task.name })}>{task.name}</Link> / #{task.id}
      </p>
      <StaleDataNotice query={detail} refetch={detail.refetch} polling={polling} what="the task" />
      <header className="page-header">
        <div>
          <h1>
            {task.name} <span className="muted">#{task.id}</span> <StatusBadge status={task.status} />{' '}
            <RepairsBadge taskStatus={task.status} repairedSteps={task.steps.filter((step) => isStepRepaired(step.status)).length} />
          </h1>
          <TaskSummaryLine task={task} connection={connection} refreshFailing={isRefreshFailing(detail)} />
        </div>
        <TaskActions task={task} />
      </header>
      <section className="card graph-card" aria-label="Steps">
        <div className="card-header">
          <h2>Steps</h2>
          <span className="muted small">Click a step (or focus it and press Enter) to open it.</span>
        </div>
        <TaskGraph task={task} selectedStep={selectedStep?.name ?? null} onSelectStep={onSelectStep} height="auto" />
        <StatusLegend />
      </section>
      <div className="task-layout">
        <div className="stack">
          {selectedStep ? (
            <StepPanel
              key={selectedStep.name}
              task={task}
              step={selectedStep}
              transitions={transitions}
              onClose={closeStep}
              onEditContext={() => setEditingContext(true)}
            />
          ) : null}
          {selectedName && !selectedStep ? (
            <div className="card">
              <p>
                This task has no step <code>{selectedName}</code>.
              </p>
            </div>
          ) : null}
          <section className="card" aria-label="Timeline">
            <div className="card-header">
              <h2>Timeline of attempts</h2>
              <span className="muted small">what ran in parallel, and where the time went</span>
            </div>
            {transitions.isPending ? <LoadingState rows={3} label="Loading the timeline…" /> : null}
            {transitions.isError && !transitions.data ? (
              <ErrorState error={transitions.error} title="Could not load the timeline" onRetry={() => void transitions.refetch()} />
            ) : null}
            {transitions.data ? (
              <AttemptTimeline transitions={transitions.data} stepOrder={task.steps.map((step) => step.name)} onSelectStep={onSelectStep} />
            ) : null}
          </section>
        </div>
        <div className="stack">
          <section className="card" aria-label="Context">
            <div className="card-header">
              <h2>Context</h2>
              {canEditTaskContext(task.status) ? (
                <button
                  type="button"
                  className="button small"
                  onClick={() => setEditingContext(true)}
                  disabled={!mayEditContext.allowed}
                  title={mayEditContext.reason ?? undefined}
                >
                  Edit context and retry…
                </button>
              ) : null}
            </div>
            {canEditTaskContext(task.status) ? <PermissionNote permission={mayEditContext} /> : null}
            <JsonView value={task.context} maxHeight={360} />
          </section>
          <section className="card" aria-label="Audit trail">
            <div className="card-header">
              <h2>Audit trail</h2>
              <span className="muted small">every change of state, newest first</span>
            </div>
            <StaleDataNotice query={transitions} refetch={transitions.refetch} polling={false} what="the audit trail" />
            {transitions.isPending ? <LoadingState rows={3} label="Loading the audit trail…" /> : null}
            {transitions.isError && !transitions.data ? (
              <ErrorState error={transitions.error} title="Could not load the audit trail" onRetry={() => void transitions.refetch()} />
            ) : null}
            {transitions.data && transitions.data.length === 0 ? <p className="muted">Nothing recorded yet.</p> : null}
            {transitions.data && transitions.data.length > 0 ? <AuditTrail transitions={transitions.data} /> : null}
          </section>
        </div>
      </div>
      <ContextEditor task={task} open={editingContext} onClose={() => setEditingContext(false)} />
    </>
  );
}

const AUDIT_PAGE = 40;

/** The newest changes first; a long trail (a 200-step task has over a thousand) opens on demand. */
function AuditTrail({ transitions }: { transitions: Transition[] }) {
  const [showAll, setShowAll] = useState(false);
  const newestFirst = [...transitions].reverse();
  const shown = showAll ? newestFirst : newestFirst.slice(0, AUDIT_PAGE);
  return (
    <>
      <TransitionList transitions={shown} />
      {newestFirst.length > AUDIT_PAGE ? (
        <button type="button" className="button small" onClick={() => setShowAll(!showAll)} style={{ marginTop: 8 }}>
          {showAll ? `Show the newest ${AUDIT_PAGE}` : `Show all ${newestFirst.length} changes`}
        </button>
      ) : null}
    </>
  );
}

/** What the header says about how fresh the page is: live (pushed), polling, or not connected (refreshes failing). */
function liveIndicatorText(live: boolean, connection: string, refreshFailing: boolean): string {
  if (!live) {
    return refreshFailing ? 'finished · last refresh failed' : 'finished';
  }
  if (refreshFailing) {
    return 'not connected · retrying';
  }
  return connection === 'open' ? 'live' : 'polling every second';
}

function TaskSummaryLine({ task, connection, refreshFailing }: { task: TaskDetail; connection: string; refreshFailing: boolean }) {
  // The template's steps only: a compensation step is not one of them (it undoes one).
  const templateSteps = task.steps.filter((step) => step.kind === 'step');
  const done = templateSteps.filter((step) => isStepSatisfied(step.status)).length;
  const undone = templateSteps.filter((step) => step.status === 'compensated').length;
  const live = !isTaskFinished(task.status);
  return (
    <div className="task-summary" style={{ marginTop: 6 }}>
      <span>
        <strong>{task.namespace}</strong> · v{task.version}
      </span>
      <span data-testid="task-steps-done">
        steps done <strong>{done}</strong>/{templateSteps.length}
        {undone > 0 ? (
          <>
            , <strong>{undone}</strong> undone
          </>
        ) : null}
      </span>
      <span>
        created <RelativeTime iso={task.created_at} />
      </span>
      <span>
        updated <RelativeTime iso={task.updated_at} />
      </span>
      {task.completed_at ? (
        <span>
          took <strong>{formatDuration(durationBetween(task.created_at, task.completed_at, 0) ?? 0)}</strong>
        </span>
      ) : null}
      <span title="correlation id: sent to every service as X-Correlation-ID">
        <code>{task.correlation_id}</code>
      </span>
      <span
        className={`live-indicator${refreshFailing ? ' lost' : ''}`}
        data-testid="live-indicator"
        data-connection={refreshFailing ? 'lost' : connection}
      >
        <span className={`live-dot${refreshFailing ? ' lost' : live && connection === 'open' ? ' on' : ''}`} aria-hidden="true" />
        {liveIndicatorText(live, connection, refreshFailing)}
      </span>
    </div>
  );
}

function TaskActions({ task }: { task: TaskDetail }) {
  const retry = useRetryTask(task.id);
  const mayRetry = usePermission('operator', 'retry steps');
  const noteId = useId();
  if (task.status !== 'error') {
    // Kept in place whatever the status: the compensation dialog stays open while the task starts compensating.
    return (
      <div className="header-actions">
        <CompensateTaskAction task={task} />
      </div>
    );
  }
  return (
    <div className="header-actions">
      <CompensateTaskAction task={task} />
      {retry.isError ? <ErrorMessage error={retry.error} /> : null}
      <PermissionNote permission={mayRetry} id={noteId} />
      <button
        type="button"
        className="button primary"
        disabled={retry.isPending}
        {...blockedBy(mayRetry, noteId)}
        onClick={() => retry.mutate({ reason: 'Retried the failed steps from the dashboard' })}
      >
        {retry.isPending ? 'Retrying…' : 'Retry failed steps'}
      </button>
    </div>
  );
}
