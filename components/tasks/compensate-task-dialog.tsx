'use client';

import { useEffect, useId, useState } from 'react';
import { isApiError } from '../../lib/api/api-error';
import { usePermission } from '../../lib/api/session';
import { useCompensateTask } from '../../lib/api/tasks';
import type { TaskDetail } from '../../lib/api/types';
import { COMPENSABLE_TASK_STATUSES } from '../../lib/statuses';
import { Modal } from '../dialog/modal';
import { ErrorMessage } from '../feedback/error-state';
import { blockedBy, PermissionNote } from '../feedback/permission-note';

/** Whether the task is in a state that may be compensated (error or cancelled): the button is shown then. */
function mayOfferCompensation(task: Pick<TaskDetail, 'status'>): boolean {
  return (COMPENSABLE_TASK_STATUSES as readonly string[]).includes(task.status);
}

/**
 * "Compensate task…": the dialog opens on the dry run's list (what undoes what, in the order they can
 * start), asks for a reason, and starts the compensation. A viewer sees the button unavailable, with why.
 */
export function CompensateTaskAction({ task }: { task: TaskDetail }) {
  const [open, setOpen] = useState(false);
  const permission = usePermission('operator', 'compensate tasks');
  const noteId = useId();
  const offered = mayOfferCompensation(task);
  if (!offered && !open) {
    return null;
  }
  return (
    <>
      {offered ? (
        <>
          <PermissionNote permission={permission} id={noteId} />
          <button type="button" className="button" data-testid="compensate-task" onClick={() => setOpen(true)} {...blockedBy(permission, noteId)}>
            Compensate task…
          </button>
        </>
      ) : null}
      {open ? <CompensateTaskDialog task={task} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function CompensateTaskDialog({ task, onClose }: { task: TaskDetail; onClose: () => void }) {
  const dryRun = useCompensateTask(task.id);
  const compensate = useCompensateTask(task.id);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const runDry = dryRun.mutate;
  useEffect(() => {
    runDry({ dry_run: true });
  }, [runDry]);
  const plan = dryRun.data;
  const nothing = isApiError(dryRun.error) && dryRun.error.status === 409;
  return (
    <Modal open onClose={onClose} title={`Compensate task #${task.id}`} testId="compensate-dialog" wide>
      <p className="muted">
        Undoes the completed steps of this {task.status} task with the compensations its template declares, each as a step of its own, in reverse
        dependency order. Steps that did not finish are cancelled.
      </p>
      {dryRun.isPending ? <p role="status">Checking what would be undone…</p> : null}
      {dryRun.isError ? nothing ? <p className="warning-text">{dryRun.error.message}</p> : <ErrorMessage error={dryRun.error} /> : null}
      {plan && !compensate.data ? (
        <div data-testid="compensate-preview">
          <p className="lead">
            Dry run: <strong>{plan.compensations.length}</strong> compensation{plan.compensations.length === 1 ? '' : 's'} would run, in this order.
            Nothing has changed yet.
          </p>
          <ol className="compensation-plan" data-testid="compensation-plan">
            {plan.compensations.map((entry) => (
              <li key={entry.step} data-compensation={entry.step}>
                <span className="mono">{entry.step}</span> <span className="muted">undoes</span> <strong className="mono">{entry.compensates}</strong>
                <span className="muted small">
                  {' '}
                  · {entry.handler}
                  {entry.service ? ` on ${entry.service}` : ''}
                  {entry.depends_on.length > 0 ? ` · after ${entry.depends_on.join(', ')}` : ''}
                </span>
              </li>
            ))}
          </ol>
          {plan.skipped.length > 0 ? (
            <>
              <p className="muted">Kept as they are (complete), their compensation skipped:</p>
              <ul className="compensation-plan" data-testid="compensation-skipped">
                {plan.skipped.map((entry) => (
                  <li key={entry.step} data-skipped={entry.compensates}>
                    <strong className="mono">{entry.compensates}</strong> <span className="muted">not undone:</span> {entry.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <label className="field" htmlFor={reasonId}>
            <span>Reason (required, recorded in the audit trail)</span>
            <input
              id={reasonId}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              placeholder="e.g. the card was refused for good"
              data-testid="compensate-reason"
            />
          </label>
        </div>
      ) : null}
      {compensate.isError ? <ErrorMessage error={compensate.error} /> : null}
      {compensate.data ? (
        <p role="status" className="lead" data-testid="compensate-started">
          Compensation started: the task is {compensate.data.status}. Watch the graph: each step turns compensated as its undo completes.
        </p>
      ) : null}
      <div className="modal-actions">
        {compensate.data ? (
          <button type="button" className="button primary" onClick={onClose}>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button
              type="button"
              className="button danger"
              data-testid="compensate-confirm"
              disabled={!plan || reason.trim() === '' || compensate.isPending}
              title={plan && reason.trim() === '' ? 'Give a reason first' : undefined}
              onClick={() => compensate.mutate({ reason: reason.trim() })}
            >
              {compensate.isPending ? 'Starting…' : plan ? `Compensate (${plan.compensations.length})` : 'Compensate'}
            </button>
          </>
        )}
      </div>
    </Modal>
  );
}
