'use client';

import { useEffect, useRef, useState } from 'react';
import { toTaskFilter } from '../../lib/api/task-filters';
import { useBulkRetry } from '../../lib/api/tasks';
import type { BulkRetryRequest, BulkRetryResult, TaskFilters } from '../../lib/api/types';
import { Modal } from '../dialog/modal';
import { ErrorMessage } from '../feedback/error-state';
import { BulkActionProgressView } from './bulk-action-progress';
import { describeTruncation, summarizeBulkRetry, type BulkRetryScope } from './bulk-retry-report';

export type BulkRetryTarget = { kind: 'filter'; filter: TaskFilters; description: string } | { kind: 'ids'; ids: string[]; description: string };

function toBody(target: BulkRetryTarget, dryRun: boolean, reason: string): BulkRetryRequest {
  const base = target.kind === 'filter' ? { filter: toTaskFilter(target.filter) } : { ids: target.ids };
  return { ...base, dry_run: dryRun, ...(reason.trim() ? { reason: reason.trim() } : {}) };
}

function StepCounts({ result }: { result: BulkRetryResult }) {
  if (result.steps.length === 0) {
    return <p className="muted">No steps to retry.</p>;
  }
  return (
    <table className="compact-table" data-testid="bulk-retry-steps">
      <thead>
        <tr>
          <th scope="col">step</th>
          <th scope="col" className="num">
            steps
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

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

const scopeOf = (target: BulkRetryTarget): BulkRetryScope => (target.kind === 'ids' ? { kind: 'ids', count: target.ids.length } : { kind: 'filter' });

/**
 * Bulk retry in two moves: the dry run says how many tasks and which steps, the operator confirms,
 * then the retry runs and the dialog reports what it did.
 */
export function BulkRetryDialog({ target, onClose }: { target: BulkRetryTarget | null; onClose: () => void }) {
  const dryRun = useBulkRetry();
  const retry = useBulkRetry();
  const [reason, setReason] = useState('');
  const startedFor = useRef<BulkRetryTarget | null>(null);
  const runDry = dryRun.mutate;
  const resetRetry = retry.reset;
  useEffect(() => {
    if (target && startedFor.current !== target) {
      startedFor.current = target;
      resetRetry();
      runDry(toBody(target, true, ''));
    }
  }, [target, runDry, resetRetry]);
  const preview = dryRun.data;
  const done = retry.data;
  // After a retry stopped at the per-call limit: count what still matches, for the next batch.
  const checkTheRest = () => {
    if (target) {
      resetRetry();
      runDry(toBody(target, true, ''));
    }
  };
  return (
    <Modal open={target !== null} onClose={onClose} title="Retry tasks" testId="bulk-retry-dialog">
      {target ? <p className="muted">{target.description}</p> : null}
      {dryRun.isPending ? <p role="status">Checking what a retry would do…</p> : null}
      {dryRun.isError ? <ErrorMessage error={dryRun.error} /> : null}
      {preview && !done ? (
        <div data-testid="bulk-retry-preview">
          <p className="lead">
            Dry run: this retries <strong data-testid="bulk-retry-task-count">{plural(preview.tasks, 'task')}</strong>, moving{' '}
            {plural(
              preview.steps.reduce((sum, step) => sum + step.count, 0),
              'step',
            )}{' '}
            back to ready. Nothing has changed yet.
          </p>
          {target ? <p data-testid="bulk-retry-preview-summary">{summarizeBulkRetry(preview, scopeOf(target))}</p> : null}
          {preview.truncated ? (
            <p className="warning-text" data-testid="bulk-retry-truncated">
              {describeTruncation(preview)}
            </p>
          ) : null}
          <StepCounts result={preview} />
          <label className="field">
            <span>Reason (recorded in the audit trail)</span>
            <input value={reason} onChange={(event) => setReason(event.target.value)} placeholder="e.g. billing is back up" />
          </label>
        </div>
      ) : null}
      {retry.isError ? <ErrorMessage error={retry.error} /> : null}
      {done ? (
        <div data-testid="bulk-retry-done" role="status">
          <p className="lead">
            Retried <strong>{plural(done.tasks, 'task')}</strong>:{' '}
            {plural(
              done.steps.reduce((sum, step) => sum + step.count, 0),
              'step',
            )}{' '}
            back to ready. The orchestrator picks them up now.
          </p>
          {target ? (
            <p className="bulk-retry-summary" data-testid="bulk-retry-summary">
              {summarizeBulkRetry(done, scopeOf(target))}
            </p>
          ) : null}
          {done.truncated ? (
            <p className="warning-text" data-testid="bulk-retry-truncated">
              {describeTruncation(done)}
            </p>
          ) : null}
          <StepCounts result={done} />
          {done.bulk_action_id && done.tasks > 0 ? <BulkActionProgressView bulkActionId={done.bulk_action_id} /> : null}
        </div>
      ) : null}
      <div className="modal-actions">
        {done ? (
          <>
            {done.truncated ? (
              <button type="button" className="button" onClick={checkTheRest}>
                Check the rest…
              </button>
            ) : null}
            <button type="button" className="button primary" onClick={onClose}>
              Done
            </button>
          </>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button
              type="button"
              className="button primary"
              disabled={!preview || preview.tasks === 0 || retry.isPending}
              onClick={() => target && retry.mutate(toBody(target, false, reason))}
            >
              {retry.isPending ? 'Retrying…' : preview ? `Retry ${plural(preview.tasks, 'task')}` : 'Retry'}
            </button>
          </>
        )}
      </div>
    </Modal>
  );
}
