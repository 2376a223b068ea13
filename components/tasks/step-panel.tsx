'use client';

import type { UseQueryResult } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { usePermission } from '../../lib/api/session';
import { useCancelTask, useRetryStep, useStepAttempts } from '../../lib/api/tasks';
import type { Attempt, StepSummary, TaskDetail, Transition } from '../../lib/api/types';
import { canEditTaskContext, canFinishStepManually, canRetryStep, isStepFailed, isTaskFinished } from '../../lib/statuses';
import { Modal } from '../dialog/modal';
import { EmptyState } from '../feedback/empty-state';
import { ErrorMessage, ErrorState } from '../feedback/error-state';
import { LoadingState } from '../feedback/loading-state';
import { blockedBy, PermissionNote } from '../feedback/permission-note';
import { JsonView } from '../json/json-view';
import { StatusBadge } from '../status/status-badge';
import { Countdown } from '../time/countdown';
import { formatDuration } from '../time/format-time';
import { RelativeTime } from '../time/relative-time';
import { AttemptDetails } from './attempt-details';
import { mayOfferRerun, RerunStepAction } from './rerun-step-dialog';
import { ResolveStepForm } from './resolve-step-form';
import { SkipStepForm } from './skip-step-form';
import { TransitionList } from './transition-list';
import { WaitingReasonText } from './waiting-reason';

function canSkip(step: StepSummary) {
  return step.skippable && canFinishStepManually(step.status);
}

type OpenForm = 'resolve' | 'skip' | 'cancel' | null;

/** The task's audit trail as the page loaded it: the panel shows this step's part, or why it can't. */
export type TransitionsQuery = Pick<UseQueryResult<Transition[]>, 'data' | 'isPending' | 'isError' | 'error' | 'refetch'>;

/**
 * Everything about one step and what an operator may do with it: results and last error, every
 * attempt, its audit trail, and the actions its state allows.
 */
export function StepPanel({
  task,
  step,
  transitions,
  onClose,
  onEditContext,
}: {
  task: TaskDetail;
  step: StepSummary;
  transitions: TransitionsQuery;
  onClose: () => void;
  onEditContext: () => void;
}) {
  const [form, setForm] = useState<OpenForm>(null);
  const [reason, setReason] = useState('');
  const retry = useRetryStep(task.id);
  // A viewer sees every action, disabled, with the reason: a button that answers 403 after the click helps nobody.
  const mayRepair = usePermission('operator', 'retry, resolve, skip, cancel or edit');
  const noteId = useId();
  const blocked = blockedBy(mayRepair, noteId);
  const taskOpen = !isTaskFinished(task.status);
  const stepTransitions = transitions.data?.filter((transition) => transition.step_name === step.name || transition.step_id === step.id);
  return (
    <aside className="step-panel" aria-label={`Step ${step.name}`} data-testid="step-panel">
      <header className="panel-header">
        <div>
          <p className="eyebrow">step</p>
          <h2 className="mono">{step.name}</h2>
        </div>
        <StatusBadge status={step.status} />
        <button type="button" className="icon-button" aria-label="Close the step panel" onClick={onClose}>
          ×
        </button>
      </header>

      <dl className="facts">
        <dt>handler</dt>
        <dd className="mono">{step.handler}</dd>
        <dt>service</dt>
        <dd>{step.service ?? <span className="muted">none</span>}</dd>
        <dt>attempts</dt>
        <dd>
          {step.attempts_this_round} of {step.retry_limit} this round
          {step.attempts !== step.attempts_this_round ? <span className="muted"> ({step.attempts} in all)</span> : null}
        </dd>
        <dt>retry</dt>
        <dd>
          {step.retryable ? 'retryable' : 'not retryable'}
          {step.skippable ? ', skippable' : ''} · timeout {step.timeout_seconds} s
        </dd>
        <dt>started</dt>
        <dd>
          <RelativeTime iso={step.started_at} fallback="not yet" />
        </dd>
        {isStepFailed(step.status) && !step.completed_at ? (
          <>
            <dt>{step.status === 'error' ? 'failed' : 'last failed'}</dt>
            <dd>
              <RelativeTime iso={step.last_error?.at ?? null} fallback="unknown" />
            </dd>
          </>
        ) : (
          <>
            <dt>finished</dt>
            <dd>
              <RelativeTime iso={step.completed_at} fallback="not yet" />
            </dd>
          </>
        )}
        {step.waiting_reason ? (
          <>
            <dt>waiting on</dt>
            <dd data-testid="step-waiting-reason">
              <WaitingReasonText reason={step.waiting_reason} compact />
            </dd>
          </>
        ) : null}
        {step.status === 'waiting_retry' && step.next_attempt_at && !step.waiting_reason?.until ? (
          <>
            <dt>next attempt</dt>
            <dd>
              <Countdown iso={step.next_attempt_at} />
            </dd>
          </>
        ) : null}
        {step.compensates ? (
          <>
            <dt>undoes</dt>
            <dd className="mono small" data-testid="step-undoes">
              {step.compensates}
            </dd>
          </>
        ) : null}
        {step.depends_on.length > 0 ? (
          <>
            <dt>needs</dt>
            <dd className="mono small">{step.depends_on.join(', ')}</dd>
          </>
        ) : null}
      </dl>

      <section className="panel-section" aria-label="Actions">
        <div className="action-row">
          {canRetryStep(step.status) ? (
            <button
              type="button"
              className="button primary"
              disabled={retry.isPending}
              onClick={() => retry.mutate({ step: step.name, reason: reason.trim() || undefined })}
              {...blocked}
            >
              {retry.isPending ? 'Retrying…' : 'Retry step'}
            </button>
          ) : null}
          {canFinishStepManually(step.status) ? (
            <button
              type="button"
              className="button"
              aria-expanded={form === 'resolve'}
              onClick={() => setForm(form === 'resolve' ? null : 'resolve')}
              {...blocked}
            >
              Resolve with results…
            </button>
          ) : null}
          {canSkip(step) ? (
            <button
              type="button"
              className="button"
              aria-expanded={form === 'skip'}
              onClick={() => setForm(form === 'skip' ? null : 'skip')}
              {...blocked}
            >
              Skip…
            </button>
          ) : null}
          <RerunStepAction task={task} step={step} />
          {canEditTaskContext(task.status) ? (
            <button type="button" className="button" onClick={onEditContext} {...blocked}>
              Edit context and retry…
            </button>
          ) : null}
          {taskOpen ? (
            <button type="button" className="button danger-outline" onClick={() => setForm('cancel')} {...blocked}>
              Cancel task…
            </button>
          ) : null}
        </div>
        {canRetryStep(step.status) || canFinishStepManually(step.status) || canSkip(step) || taskOpen ? (
          <PermissionNote permission={mayRepair} id={noteId} />
        ) : null}
        {canFinishStepManually(step.status) && !step.skippable ? (
          <p className="muted small" data-testid="skip-unavailable">
            No Skip: this step&apos;s template does not say <code>skippable: true</code>.
          </p>
        ) : null}
        {mayRepair.allowed &&
        form !== 'resolve' &&
        form !== 'skip' &&
        (canRetryStep(step.status) || canFinishStepManually(step.status) || canSkip(step)) ? (
          <label className="field">
            <span>Reason (recorded in the audit trail)</span>
            <input value={reason} onChange={(event) => setReason(event.target.value)} placeholder="optional for retry and cancel" />
          </label>
        ) : null}
        {!canRetryStep(step.status) && !canFinishStepManually(step.status) && !canSkip(step) && !taskOpen && !mayOfferRerun(task, step) ? (
          <p className="muted small">No actions: the step and its task are finished.</p>
        ) : null}
        {retry.isError ? <ErrorMessage error={retry.error} /> : null}
        {retry.isSuccess ? (
          <p className="success-text" role="status">
            Retry requested; the step is back in the queue.
          </p>
        ) : null}
        {form === 'resolve' ? <ResolveStepForm task={task} step={step} initialReason={reason} onDone={() => setForm(null)} /> : null}
        {form === 'skip' ? <SkipStepForm task={task} step={step} initialReason={reason} onDone={() => setForm(null)} /> : null}
        <CancelTaskDialog task={task} open={form === 'cancel'} reason={reason} onClose={() => setForm(null)} />
      </section>

      {step.last_error ? (
        <section className="panel-section">
          <h3>Last error</h3>
          <JsonView value={step.last_error} maxHeight={220} />
        </section>
      ) : null}
      <section className="panel-section">
        <h3>Results</h3>
        <JsonView value={step.results} emptyLabel="no results yet" maxHeight={260} />
      </section>
      <section className="panel-section">
        <h3>Attempts</h3>
        <AttemptTable taskId={task.id} step={step.name} />
      </section>
      <section className="panel-section">
        <h3>Audit trail of this step</h3>
        {transitions.isPending ? <LoadingState rows={2} /> : null}
        {transitions.isError && !transitions.data ? (
          <ErrorState error={transitions.error} title="Could not load the audit trail" onRetry={() => void transitions.refetch()} />
        ) : null}
        {stepTransitions && stepTransitions.length === 0 ? <p className="muted">No changes recorded for this step yet.</p> : null}
        {stepTransitions && stepTransitions.length > 0 ? <TransitionList transitions={[...stepTransitions].reverse()} showStep={false} /> : null}
      </section>
    </aside>
  );
}

function CancelTaskDialog({ task, open, reason, onClose }: { task: TaskDetail; open: boolean; reason: string; onClose: () => void }) {
  const cancel = useCancelTask(task.id);
  return (
    <Modal open={open} onClose={onClose} title={`Cancel task #${task.id}?`} testId="cancel-task-dialog">
      <p>Its unfinished steps are cancelled and nothing more runs. Steps that already finished keep what they did in their services.</p>
      {cancel.isError ? <ErrorMessage error={cancel.error} /> : null}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onClose}>
          Keep running
        </button>
        <button
          type="button"
          className="button danger"
          disabled={cancel.isPending}
          onClick={() => cancel.mutate({ reason: reason.trim() || 'Cancelled from the dashboard' }, { onSuccess: onClose })}
        >
          {cancel.isPending ? 'Cancelling…' : 'Cancel task'}
        </button>
      </div>
    </Modal>
  );
}

function outcomeStatus(outcome: Attempt['outcome']): string {
  switch (outcome) {
    case 'complete':
      return 'complete';
    case 'running':
      return 'in_progress';
    case 'retryable_error':
    case 'timeout':
    case 'worker_lost':
    case 'interrupted':
      return 'waiting_retry';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'error';
  }
}

function AttemptTable({ taskId, step }: { taskId: string; step: string }) {
  const attempts = useStepAttempts(taskId, step);
  if (attempts.isPending) {
    return <LoadingState rows={2} />;
  }
  if (attempts.isError) {
    return <ErrorState error={attempts.error} title="Could not load the attempts" onRetry={() => void attempts.refetch()} />;
  }
  if (attempts.data.length === 0) {
    return <EmptyState title="No attempts yet" />;
  }
  return (
    <ol className="attempt-list" data-testid="attempt-table" reversed>
      {[...attempts.data].reverse().map((attempt) => (
        <li key={attempt.number} className="attempt" data-attempt={attempt.number} data-outcome={attempt.outcome}>
          <div className="attempt-head">
            <span className="attempt-number">#{attempt.number}</span>
            <span className="outcome" title={attempt.outcome}>
              <StatusBadge status={outcomeStatus(attempt.outcome)} compact />
              <span>{attempt.outcome.replaceAll('_', ' ')}</span>
            </span>
            {attempt.http_status ? <span>HTTP {attempt.http_status}</span> : null}
            <span className="muted">
              {attempt.duration_ms === null ? (attempt.outcome === 'running' ? 'running' : '—') : formatDuration(attempt.duration_ms)}
            </span>
            <span className="muted" style={{ marginLeft: 'auto' }}>
              started <RelativeTime iso={attempt.started_at} />
              {attempt.finished_at ? (
                <>
                  , ended <RelativeTime iso={attempt.finished_at} />
                </>
              ) : null}
            </span>
          </div>
          {attempt.error ? (
            <div className="attempt-error">
              {attempt.error.code ? <code>{attempt.error.code}</code> : null}{' '}
              {attempt.error.class ? <span className="muted">{attempt.error.class}: </span> : null}
              {attempt.error.message}
            </div>
          ) : null}
          <AttemptDetails attempt={attempt} />
        </li>
      ))}
    </ol>
  );
}
