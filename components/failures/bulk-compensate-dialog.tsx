'use client';

import { useEffect, useId, useState } from 'react';
import { toTaskFilter } from '../../lib/api/task-filters';
import { useBulkTaskAction } from '../../lib/api/tasks';
import type { BulkActionRequest, BulkActionResult, TaskFilters } from '../../lib/api/types';
import { Modal } from '../dialog/modal';
import { ErrorMessage } from '../feedback/error-state';
import '../tasks/compensation.css';

/** A Failures group (its filter: the group's tasks in error), or tasks picked in the task list. */
export type BulkCompensateTarget = { filter: TaskFilters; description: string } | { ids: string[]; description: string };

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function toBody(target: BulkCompensateTarget, dryRun: boolean, reason: string): BulkActionRequest {
  // A group's tasks that can be compensated are in error: the filter says so, whatever the group's own.
  const base = 'ids' in target ? { ids: target.ids } : { filter: { ...toTaskFilter(target.filter), status: ['error' as const] } };
  return { ...base, dry_run: dryRun, ...(reason.trim() ? { reason: reason.trim() } : {}) };
}

function UndoneSteps({ result }: { result: BulkActionResult }) {
  if (result.steps.length === 0) {
    return <p className="muted">No completed step with a compensation.</p>;
  }
  return (
    <table className="compact-table" data-testid="bulk-compensate-steps">
      <thead>
        <tr>
          <th scope="col">step undone</th>
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

/**
 * "Compensate all" on a Failures group: the dry run first (how many tasks, which completed steps are
 * undone), then, with a reason, POST /tasks/bulk/compensate; tasks refused on the way are listed with why.
 */
export function BulkCompensateDialog({ target, onClose }: { target: BulkCompensateTarget; onClose: () => void }) {
  const dryRun = useBulkTaskAction('compensate');
  const compensate = useBulkTaskAction('compensate');
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const runDry = dryRun.mutate;
  useEffect(() => {
    runDry(toBody(target, true, ''));
  }, [target, runDry]);
  const preview = dryRun.data;
  const done = compensate.data;
  return (
    <Modal open onClose={onClose} title="Compensate tasks" testId="bulk-compensate-dialog">
      <p className="muted">{target.description}</p>
      {dryRun.isPending ? <p role="status">Checking what a compensation would undo…</p> : null}
      {dryRun.isError ? <ErrorMessage error={dryRun.error} /> : null}
      {preview && !done ? (
        <div data-testid="bulk-compensate-preview">
          <p className="lead">
            Dry run: this compensates <strong data-testid="bulk-compensate-task-count">{plural(preview.tasks, 'task')}</strong>, undoing their
            completed steps in reverse order. Nothing has changed yet.
          </p>
          {preview.refused_count > 0 ? (
            <p className="warning-text" data-testid="bulk-compensate-refused">
              {plural(preview.refused_count, 'task')} cannot be compensated:{' '}
              {preview.refused.map((entry) => `#${entry.id} (${entry.reason})`).join('; ')}
            </p>
          ) : null}
          {preview.truncated ? (
            <p className="warning-text">More than {preview.limit.toLocaleString('en-US')} tasks match: run it again for the rest.</p>
          ) : null}
          <UndoneSteps result={preview} />
          <label className="field" htmlFor={reasonId}>
            <span>Reason (required, recorded in the audit trail)</span>
            <input
              id={reasonId}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              placeholder="e.g. cards refused for good: undo the sign-ups"
              data-testid="bulk-compensate-reason"
            />
          </label>
        </div>
      ) : null}
      {compensate.isError ? <ErrorMessage error={compensate.error} /> : null}
      {done ? (
        <div role="status" data-testid="bulk-compensate-done">
          <p className="lead">
            Compensating <strong>{plural(done.tasks, 'task')}</strong>; the orchestrator runs their compensations now.
          </p>
          {done.refused_count > 0 ? (
            <>
              <p className="warning-text">{plural(done.refused_count, 'task')} refused:</p>
              <ul>
                {done.refused.map((entry) => (
                  <li key={entry.id}>
                    #{entry.id}: {entry.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
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
              Cancel
            </button>
            <button
              type="button"
              className="button danger"
              data-testid="bulk-compensate-confirm"
              disabled={!preview || preview.tasks === 0 || reason.trim() === '' || compensate.isPending}
              title={preview && reason.trim() === '' ? 'Give a reason first' : undefined}
              onClick={() => compensate.mutate(toBody(target, false, reason))}
            >
              {compensate.isPending ? 'Starting…' : preview ? `Compensate ${plural(preview.tasks, 'task')}` : 'Compensate'}
            </button>
          </>
        )}
      </div>
    </Modal>
  );
}
