'use client';

import { useEffect, useId, useState } from 'react';
import { useBulkTaskAction } from '../../lib/api/tasks';
import type { BulkActionRequest, BulkActionResult } from '../../lib/api/types';
import { Modal } from '../dialog/modal';
import { ErrorMessage } from '../feedback/error-state';
import './compensation.css';

/** Tasks picked in the task list. */
export type BulkCancelTarget = { ids: string[]; description: string };

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function toBody(target: BulkCancelTarget, dryRun: boolean, reason: string): BulkActionRequest {
  return { ids: target.ids, dry_run: dryRun, ...(reason.trim() ? { reason: reason.trim() } : {}) };
}

function CancelledSteps({ result }: { result: BulkActionResult }) {
  if (result.steps.length === 0) {
    return <p className="muted">No unfinished step: only the tasks themselves change.</p>;
  }
  return (
    <table className="compact-table" data-testid="bulk-cancel-steps">
      <thead>
        <tr>
          <th scope="col">step cancelled</th>
          <th scope="col" className="num">
            tasks
          </th>
        </tr>
      </thead>
      <tbody>
        {result.steps.map((step) => (
          <tr key={step.name}>
            <td className="mono">{step.name}</td>
            <td className="num">{step.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RefusedList({ result, testId }: { result: BulkActionResult; testId: string }) {
  if (result.refused_count === 0) {
    return null;
  }
  return (
    <div data-testid={testId}>
      <p className="warning-text">{plural(result.refused_count, 'task')} cannot be cancelled:</p>
      <ul>
        {result.refused.map((entry) => (
          <li key={entry.id} data-refused={entry.id}>
            #{entry.id}: {entry.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * "Cancel selected…" in the task list: the dry run first (how many tasks, which unfinished steps are
 * cancelled, which selected tasks cannot be and why), then, with a reason, POST /tasks/bulk/cancel.
 */
export function BulkCancelDialog({ target, onClose }: { target: BulkCancelTarget; onClose: () => void }) {
  const dryRun = useBulkTaskAction('cancel');
  const cancel = useBulkTaskAction('cancel');
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const runDry = dryRun.mutate;
  useEffect(() => {
    runDry(toBody(target, true, ''));
  }, [target, runDry]);
  const preview = dryRun.data;
  const done = cancel.data;
  return (
    <Modal open onClose={onClose} title="Cancel tasks" testId="bulk-cancel-dialog">
      <p className="muted">{target.description}</p>
      {dryRun.isPending ? <p role="status">Checking what cancelling would change…</p> : null}
      {dryRun.isError ? <ErrorMessage error={dryRun.error} /> : null}
      {preview && !done ? (
        <div data-testid="bulk-cancel-preview">
          <p className="lead">
            Dry run: this cancels <strong data-testid="bulk-cancel-task-count">{plural(preview.tasks, 'task')}</strong>; their unfinished steps are
            cancelled and a running attempt stops shortly after. Nothing has changed yet.
          </p>
          <RefusedList result={preview} testId="bulk-cancel-refused" />
          {preview.truncated ? (
            <p className="warning-text">More than {preview.limit.toLocaleString('en-US')} tasks match: run it again for the rest.</p>
          ) : null}
          <CancelledSteps result={preview} />
          <label className="field" htmlFor={reasonId}>
            <span>Reason (required, recorded in the audit trail)</span>
            <input
              id={reasonId}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              placeholder="e.g. duplicate sign-ups, not to be finished"
              data-testid="bulk-cancel-reason"
            />
          </label>
        </div>
      ) : null}
      {cancel.isError ? <ErrorMessage error={cancel.error} /> : null}
      {done ? (
        <div role="status" data-testid="bulk-cancel-done">
          <p className="lead">
            Cancelled <strong>{plural(done.tasks, 'task')}</strong>.
          </p>
          <RefusedList result={done} testId="bulk-cancel-done-refused" />
        </div>
      ) : null}
      <div className="modal-actions">
        {done ? (
          <button type="button" className="button primary" onClick={onClose}>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose}>
              Keep them
            </button>
            <button
              type="button"
              className="button danger"
              data-testid="bulk-cancel-confirm"
              disabled={!preview || preview.tasks === 0 || reason.trim() === '' || cancel.isPending}
              title={preview && reason.trim() === '' ? 'Give a reason first' : undefined}
              onClick={() => cancel.mutate(toBody(target, false, reason))}
            >
              {cancel.isPending ? 'Cancelling…' : preview ? `Cancel ${plural(preview.tasks, 'task')}` : 'Cancel tasks'}
            </button>
          </>
        )}
      </div>
    </Modal>
  );
}
