import { isRecord } from '../../lib/api/is-record';
import type { Transition } from '../../lib/api/types';
import { diffJson, type JsonChange } from '../json/json-diff';
import { JsonDiffView } from '../json/json-diff-view';
import { JsonView } from '../json/json-view';
import { StatusBadge } from '../status/status-badge';
import { RelativeTime } from '../time/relative-time';

/** A context edit's change list, whichever way the transition's details carry it. */
function readContextChanges(details: unknown): JsonChange[] | null {
  if (!isRecord(details)) {
    return null;
  }
  const listed = details.context_changes ?? details.changes ?? details.diff;
  if (Array.isArray(listed) && listed.every((change) => isRecord(change) && typeof change.path === 'string')) {
    return (listed as Record<string, unknown>[]).map((change) => {
      const path = change.path as string;
      const kind = change.kind ?? change.op ?? change.type;
      if (kind === 'added' || kind === 'add' || (!('before' in change) && !('from' in change) && !('old' in change))) {
        return { kind: 'added', path, after: change.after ?? change.value ?? change.to ?? change.new };
      }
      if (kind === 'removed' || kind === 'remove' || (!('after' in change) && !('to' in change) && !('new' in change) && !('value' in change))) {
        return { kind: 'removed', path, before: change.before ?? change.from ?? change.old };
      }
      return {
        kind: 'changed',
        path,
        before: change.before ?? change.from ?? change.old,
        after: change.after ?? change.to ?? change.new ?? change.value,
      };
    });
  }
  const before = details.before ?? details.previous_context ?? details.old_context;
  const after = details.after ?? details.context ?? details.new_context;
  if (isRecord(before) && isRecord(after)) {
    return diffJson(before, after);
  }
  return null;
}

/** The audit trail: every change of state with its time, actor and reason. */
export function TransitionList({ transitions, showStep = true }: { transitions: Transition[]; showStep?: boolean }) {
  return (
    <ol className="transition-list" data-testid="transition-list">
      {transitions.map((transition) => {
        const changes = readContextChanges(transition.details);
        const hasDetails =
          transition.details !== null &&
          transition.details !== undefined &&
          !(isRecord(transition.details) && Object.keys(transition.details).length === 0);
        return (
          <li key={transition.id} className="transition">
            <div className="transition-head">
              <RelativeTime iso={transition.created_at} />
              {showStep ? <span className="mono transition-subject">{transition.step_name ?? 'task'}</span> : null}
              <span className="transition-states">
                {transition.from_status ? <StatusBadge status={transition.from_status} compact /> : <span className="muted small">new</span>}
                <span aria-hidden="true">→</span>
                <span className="sr-only">to</span>
                <StatusBadge status={transition.to_status} compact />
              </span>
              {transition.attempt ? <span className="muted small">attempt {transition.attempt}</span> : null}
              <span className={`actor${transition.actor === 'system' ? ' muted' : ''}`} title="who made the change">
                {transition.actor}
              </span>
            </div>
            {transition.reason ? <p className="transition-reason">{transition.reason}</p> : null}
            {changes ? (
              <JsonDiffView changes={changes} testId="audit-context-diff" />
            ) : hasDetails ? (
              <details className="transition-details">
                <summary>details</summary>
                <JsonView value={transition.details} maxHeight={200} />
              </details>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
