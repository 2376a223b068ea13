'use client';

import { useState } from 'react';
import { useEditContext } from '../../lib/api/tasks';
import type { TaskDetail } from '../../lib/api/types';
import { Modal } from '../dialog/modal';
import { ErrorMessage } from '../feedback/error-state';
import { diffJson } from '../json/json-diff';
import { JsonDiffView } from '../json/json-diff-view';
import { JsonEditor, readJsonEditorValue, requireObject } from '../json/json-editor';

/**
 * Edit the task's context and retry its failed steps: for bad input that no retry can fix. The
 * change is shown as a diff before it is sent; the server validates it against the template's
 * schema and records it in the audit trail.
 */
export function ContextEditor({ task, open, onClose }: { task: TaskDetail; open: boolean; onClose: () => void }) {
  return (
    <Modal open={open} onClose={onClose} title={`Edit the context of task #${task.id} and retry`} wide testId="context-editor">
      {open ? <ContextEditorForm task={task} onDone={onClose} /> : null}
    </Modal>
  );
}

function ContextEditorForm({ task, onDone }: { task: TaskDetail; onDone: () => void }) {
  const [text, setText] = useState(() => JSON.stringify(task.context, null, 2));
  const [reason, setReason] = useState('');
  const [reviewing, setReviewing] = useState(false);
  const edit = useEditContext(task.id);
  const parsed = readJsonEditorValue(text, requireObject);
  const changes = parsed ? diffJson(task.context, parsed.value) : [];
  const canReview = parsed !== undefined && changes.length > 0;
  const canSend = canReview && reason.trim().length > 0 && !edit.isPending;
  return (
    <div className="context-editor">
      {reviewing && parsed ? (
        <>
          <h3>Review the change</h3>
          <JsonDiffView changes={changes} testId="context-diff" />
          <label className="field">
            <span>Reason (required, recorded in the audit trail)</span>
            <input value={reason} onChange={(event) => setReason(event.target.value)} placeholder="e.g. fixed the e-mail address typo" autoFocus />
          </label>
          {edit.isError ? <ErrorMessage error={edit.error} /> : null}
          <div className="modal-actions">
            <button type="button" className="button" onClick={() => setReviewing(false)}>
              Back to editing
            </button>
            <button
              type="button"
              className="button primary"
              disabled={!canSend}
              onClick={() => edit.mutate({ context: parsed.value as Record<string, unknown>, reason: reason.trim() }, { onSuccess: onDone })}
            >
              {edit.isPending ? 'Saving…' : 'Save context and retry'}
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="muted">
            The new context is checked against the template&apos;s schema. Failed steps run again with it; finished steps keep their results.
          </p>
          <JsonEditor label="Context (JSON)" value={text} onChange={setText} rows={16} validate={requireObject} testId="context-json" />
          <p className="muted small">{changes.length === 0 ? 'No changes yet.' : `${changes.length} change${changes.length === 1 ? '' : 's'}.`}</p>
          <div className="modal-actions">
            <button type="button" className="button" onClick={onDone}>
              Cancel
            </button>
            <button type="button" className="button primary" disabled={!canReview} onClick={() => setReviewing(true)}>
              Review change
            </button>
          </div>
        </>
      )}
    </div>
  );
}
