'use client';

import { useId, useState } from 'react';
import { usePermission } from '../../lib/api/session';
import { useRerunStep } from '../../lib/api/tasks';
import type { StepSummary, TaskDetail } from '../../lib/api/types';
import { isStepSatisfied, RERUNNABLE_TASK_STATUSES } from '../../lib/statuses';
import { Modal } from '../dialog/modal';
import { ErrorMessage } from '../feedback/error-state';
import { blockedBy, PermissionNote } from '../feedback/permission-note';

/** A finished step (complete, resolved_manually, skipped) of a task that is complete or in error, never compensated. */
export function mayOfferRerun(task: TaskDetail, step: StepSummary): boolean {
  const compensating = task.steps.some((other) => other.kind === 'compensation');
  return (
    step.kind === 'step' && !compensating && isStepSatisfied(step.status) && (RERUNNABLE_TASK_STATUSES as readonly string[]).includes(task.status)
  );
}

/**
 * "Re-run step…": the finished step runs again as a new round, with a new idempotency key, so the service
 * really does it again; "and what follows" runs its dependents after it. A viewer sees it unavailable, with why.
 */
export function RerunStepAction({ task, step }: { task: TaskDetail; step: StepSummary }) {
  const [open, setOpen] = useState(false);
  const permission = usePermission('operator', 're-run steps');
  const noteId = useId();
  if (!mayOfferRerun(task, step)) {
    return null;
  }
  return (
    <>
      <PermissionNote permission={permission} id={noteId} />
      <button type="button" className="button" data-testid="rerun-step" onClick={() => setOpen(true)} {...blockedBy(permission, noteId)}>
        Re-run step…
      </button>
      {open ? <RerunStepDialog task={task} step={step} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function RerunStepDialog({ task, step, onClose }: { task: TaskDetail; step: StepSummary; onClose: () => void }) {
  const rerun = useRerunStep(task.id);
  const [reason, setReason] = useState('');
  const [downstream, setDownstream] = useState(false);
  const reasonId = useId();
  const dependents = countDependents(task, step.name);
  return (
    <Modal open onClose={onClose} title={`Re-run ${step.name}`} testId="rerun-dialog">
      <p className="muted">
        {step.name} is {step.status.replaceAll('_', ' ')}. It runs again as round {step.rerun_round + 1}, with a new idempotency key: the service acts
        again (a welcome e-mail is sent again). Steps before it are not touched.
      </p>
      <label className="field" htmlFor={reasonId}>
        <span>Reason (required, recorded in the audit trail)</span>
        <input
          id={reasonId}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          placeholder="e.g. the e-mails bounced"
          data-testid="rerun-reason"
        />
      </label>
      <label className="checkbox-field">
        <input type="checkbox" checked={downstream} onChange={(event) => setDownstream(event.target.checked)} data-testid="rerun-downstream" /> and
        what follows ({dependents} step{dependents === 1 ? '' : 's'} after it run again too)
      </label>
      {rerun.isError ? <ErrorMessage error={rerun.error} /> : null}
      {rerun.isSuccess ? (
        <p role="status" data-testid="rerun-started">
          {step.name} runs again.
        </p>
      ) : null}
      <div className="modal-actions">
        {rerun.isSuccess ? (
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
              className="button primary"
              data-testid="rerun-confirm"
              disabled={reason.trim() === '' || rerun.isPending}
              title={reason.trim() === '' ? 'Give a reason first' : undefined}
              onClick={() => rerun.mutate({ step: step.name, reason: reason.trim(), downstream })}
            >
              {rerun.isPending ? 'Starting…' : 'Re-run'}
            </button>
          </>
        )}
      </div>
    </Modal>
  );
}

/** Steps that depend on `name`, directly or not. */
function countDependents(task: TaskDetail, name: string): number {
  const seen = new Set<string>();
  const queue = [name];
  for (let current = queue.pop(); current !== undefined; current = queue.pop()) {
    for (const step of task.steps) {
      if (step.kind === 'step' && step.depends_on.includes(current) && !seen.has(step.name)) {
        seen.add(step.name);
        queue.push(step.name);
      }
    }
  }
  return seen.size;
}
