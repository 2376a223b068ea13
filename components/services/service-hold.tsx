'use client';

import { useId, useState, type FormEvent } from 'react';
import { useHoldService, useReleaseService } from '../../lib/api/services';
import { usePermission } from '../../lib/api/session';
import type { ServiceInfo } from '../../lib/api/types';
import { ErrorMessage } from '../feedback/error-state';
import { StatusIcon } from '../status/status-icon';
import { RelativeTime } from '../time/relative-time';

/** A held service in colour and words, for the card's header. */
export function HoldBadge({ hold }: { hold: ServiceInfo['hold'] }) {
  if (!hold) {
    return null;
  }
  return (
    <span className="status-badge tone-warning" data-hold="held">
      <StatusIcon status="ready" />
      <span>held</span>
    </span>
  );
}

/**
 * A service's hold: while held, why, by whom and since when, with Release; otherwise a reason to give
 * and Hold. None of a held service's steps starts, and none spends an attempt, until it is released.
 */
export function ServiceHold({ service }: { service: ServiceInfo }) {
  const hold = useHoldService();
  const release = useReleaseService();
  const mayChange = usePermission('operator', 'hold or release a service');
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim() === '') {
      return;
    }
    hold.mutate({ name: service.name, reason: reason.trim() }, { onSuccess: () => setReason('') });
  };
  const current = service.hold;
  return (
    <section className="service-hold stack" style={{ gap: 8 }} aria-label={`Hold of ${service.name}`} data-testid="service-hold">
      {current ? (
        <div className="service-hold-current" role="status">
          <p style={{ margin: 0 }}>
            <strong>Held</strong> <RelativeTime iso={current.held_at} /> by <span className="mono">{current.held_by}</span>:{' '}
            <span data-testid="hold-reason">{current.reason}</span>
          </p>
          <p className="muted small" style={{ margin: '4px 0 0' }}>
            None of its steps starts, and none spends an attempt, until it is released; calls already running finish.
          </p>
          <button
            type="button"
            className="button small"
            style={{ marginTop: 8 }}
            disabled={release.isPending || !mayChange.allowed}
            title={mayChange.reason ?? 'Its waiting steps start again, spread out'}
            onClick={() => release.mutate({ name: service.name })}
          >
            {release.isPending ? 'Releasing…' : `Release ${service.name}`}
          </button>
        </div>
      ) : (
        <form className="toolbar" style={{ margin: 0 }} onSubmit={submit}>
          <label className="field grow" htmlFor={reasonId}>
            <span>hold reason</span>
            <input
              id={reasonId}
              type="text"
              maxLength={1000}
              placeholder="e.g. billing deploy until 02:30"
              value={reason}
              disabled={!mayChange.allowed}
              onChange={(event) => setReason(event.target.value)}
            />
          </label>
          <button
            type="submit"
            className="button small"
            style={{ alignSelf: 'flex-end' }}
            disabled={hold.isPending || !mayChange.allowed || reason.trim() === ''}
            title={
              mayChange.reason ??
              (reason.trim() === '' ? 'Say why first: it is shown with the hold and audited' : 'No step of it starts until released')
            }
          >
            {hold.isPending ? 'Holding…' : `Hold ${service.name}`}
          </button>
        </form>
      )}
      {hold.isError ? <ErrorMessage error={hold.error} /> : null}
      {release.isError ? <ErrorMessage error={release.error} /> : null}
    </section>
  );
}

/** The service's rate and concurrency limits (across every process) and how much of each is in use. */
export function ServiceLimits({ limits }: { limits: ServiceInfo['limits'] }) {
  return (
    <>
      <dt>rate limit</dt>
      <dd data-testid="rate-limit">
        {limits.rate_per_second === null ? (
          <span className="muted">none</span>
        ) : (
          <>
            {limits.rate_per_second}/s <span className="muted small">· {limits.starts_last_second ?? 0} started in the last second</span>
          </>
        )}
      </dd>
      <dt>calls at once</dt>
      <dd data-testid="concurrency-limit">
        {limits.in_flight}
        {limits.max_concurrency === null ? <span className="muted small"> running · no limit</span> : <> of {limits.max_concurrency} running</>}
      </dd>
    </>
  );
}
