'use client';

import type { Permission } from '../../lib/api/permissions';
import { fromTaskFilter, taskListHref } from '../../lib/api/task-filters';
import type { FailureGroup, TaskFilters } from '../../lib/api/types';
import { SATISFIED_STEP_STATUSES } from '../../lib/statuses';
import { blockedBy } from '../feedback/permission-note';
import { Link } from '../shell/link';
import { StatusBadge } from '../status/status-badge';
import { RelativeTime } from '../time/relative-time';

/** The task-list filter that finds a group's tasks (the server names it exactly, signature included). */
export function failureGroupFilter(group: FailureGroup): TaskFilters {
  return fromTaskFilter(group.filter);
}

/**
 * What a group's tasks already did: for each step of the template, how many of them have it in each
 * status (done: its service holds their data). `here` names the group's own step ("failing here").
 * Also shown by the waiting groups (waiting-group-card.tsx).
 */
export function PartialState({
  group,
  here = 'failing here',
  hereTone = 'danger',
}: {
  group: Pick<FailureGroup, 'partial_state' | 'count' | 'step'> & { step_status?: string };
  here?: string;
  hereTone?: 'danger' | 'warning';
}) {
  if (group.partial_state.length === 0) {
    return null;
  }
  return (
    <div>
      <h3>
        Partial state of these {group.count} tasks
        {group.step_status === 'waiting_retry' ? <span className="muted small"> (as of each one’s latest failed attempt)</span> : null}
      </h3>
      <div className="partial-state" data-testid="partial-state">
        {group.partial_state.map((entry) => {
          const done = SATISFIED_STEP_STATUSES.reduce((sum, status) => sum + (entry.status_counts[status] ?? 0), 0);
          const failing = entry.step === group.step;
          const statuses = Object.entries(entry.status_counts).filter(([, count]) => count > 0);
          return (
            <div
              key={entry.step}
              className={`partial-step${failing ? ' failing' : done > 0 ? ' holds-data' : ''}`}
              data-partial-step={entry.step}
              data-done={done}
            >
              <span className="mono">{entry.step}</span>
              <span className="muted">{entry.service ? `service: ${entry.service}` : 'no service'}</span>
              <span>
                {failing ? (
                  <strong className={`tone-${hereTone}`}>{here}</strong>
                ) : done > 0 ? (
                  <strong className="tone-success">
                    {done}/{group.count} done{entry.service ? ` — ${entry.service} holds their data` : ''}
                  </strong>
                ) : (
                  <span className="muted">not done</span>
                )}
              </span>
              <span className="muted small">{statuses.map(([status, count]) => `${count} ${status.replaceAll('_', ' ')}`).join(', ')}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

/**
 * One failure group: how many tasks fail the same way, since when, a sample, and what already happened.
 * `retryPermission`: whether this role may retry (if not, the button stays, unavailable, with the reason;
 * `retryNoteId` names the page's PermissionNote that says it).
 */
export function FailureGroupCard({
  group,
  onRetry,
  retryPermission,
  retryNoteId,
  onCompensate,
}: {
  group: FailureGroup;
  onRetry: (group: FailureGroup) => void;
  /** "Compensate all…" (for a group of steps in error): the caller opens the dry run. */
  onCompensate?: (group: FailureGroup) => void;
  retryPermission: Permission;
  retryNoteId?: string;
}) {
  const stuck = group.step_status === 'waiting_retry';
  const error = group.sample_error;
  return (
    <article
      className={`card failure-group${stuck ? ' stuck' : ''}`}
      data-testid="failure-group"
      // j and k focus the group (no Tab stop of its own); Enter then opens its tasks.
      tabIndex={-1}
      data-keyboard-row
      data-row-key={`${group.namespace}/${group.name}/${group.step}/${group.signature}`}
      data-template={`${group.namespace}/${group.name}`}
      data-failing-step={group.step}
      data-count={group.count}
    >
      <div className="failure-head">
        <div className={`failure-count ${stuck ? 'tone-warning' : 'tone-danger'}`}>
          <span data-testid="failure-count">{group.count}</span>
          <small>task{group.count === 1 ? '' : 's'}</small>
        </div>
        <div className="failure-title">
          <div>
            <span className="template-name">
              {group.namespace}/{group.name}
            </span>{' '}
            <span className="muted">at step</span> <strong className="mono">{group.step}</strong> <StatusBadge status={group.step_status} compact />
          </div>
          <span className="signature" title="error signature: code or class, HTTP status, normalised message">
            {group.signature}
          </span>
          <div className="failure-meta">
            <span>
              first seen <RelativeTime iso={group.first_seen} />
            </span>
            <span>
              last seen <RelativeTime iso={group.last_seen} />
            </span>
            {group.http_status ? <span>HTTP {group.http_status}</span> : null}
            {group.error_class ? <span>{group.error_class}</span> : null}
          </div>
        </div>
        <div className="action-row">
          <Link className="button" href={taskListHref(failureGroupFilter(group))} data-row-open>
            Open its tasks
          </Link>
          <button type="button" className="button primary" onClick={() => onRetry(group)} {...blockedBy(retryPermission, retryNoteId)}>
            Retry all…
          </button>
          {onCompensate && !stuck ? (
            <button
              type="button"
              className="button"
              data-testid="compensate-all"
              onClick={() => onCompensate(group)}
              {...blockedBy(retryPermission, retryNoteId)}
            >
              Compensate all…
            </button>
          ) : null}
        </div>
      </div>
      {error ? (
        <div>
          <h3>
            Sample error
            {group.sample_task_id ? (
              <>
                {' '}
                (task <Link href={`/tasks/${group.sample_task_id}?step=${encodeURIComponent(group.step)}`}>#{group.sample_task_id}</Link>)
              </>
            ) : null}
          </h3>
          <p className="error-message" style={{ margin: 0 }}>
            {error.code ? <code>{error.code}</code> : null} {error.http_status ? <span>HTTP {error.http_status} · </span> : null}
            {error.message}
          </p>
        </div>
      ) : null}
      <PartialState group={group} />
    </article>
  );
}
