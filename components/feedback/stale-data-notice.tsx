'use client';

import { useNow } from '../time/use-now';
import { ErrorMessage } from './error-state';
import { formatDataAge, isRefreshFailing, refreshError, type RefreshState } from './stale-data';

/**
 * A non-blocking notice over data whose background refresh failed (the server went away mid-incident):
 * how old the data on screen is, why the refresh failed, and whether it is retried on its own.
 * Renders nothing while refreshes succeed. `polling`: the query refetches on an interval, so it retries
 * by itself; otherwise only "Try again" does.
 */
export function StaleDataNotice({
  query,
  refetch,
  polling = true,
  what = 'this page',
}: {
  query: RefreshState;
  refetch: () => unknown;
  polling?: boolean;
  what?: string;
}) {
  const now = useNow();
  // The live region stays mounted and is filled when a refresh fails: screen readers announce a change
  // to a region they know, and often skip one that appears already filled.
  return (
    <div role="status">{isRefreshFailing(query) ? <Notice query={query} refetch={refetch} polling={polling} what={what} now={now} /> : null}</div>
  );
}

function Notice({
  query,
  refetch,
  polling,
  what,
  now,
}: {
  query: RefreshState;
  refetch: () => unknown;
  polling: boolean;
  what: string;
  now: number;
}) {
  const age = now === 0 || query.dataUpdatedAt === 0 ? 'earlier' : formatDataAge(query.dataUpdatedAt, now);
  const updatedAt = query.dataUpdatedAt ? new Date(query.dataUpdatedAt).toISOString() : undefined;
  return (
    <div className="stale-notice" data-testid="stale-data-notice">
      <p>
        <strong>Couldn’t refresh {what}</strong> — showing data from{' '}
        <time dateTime={updatedAt} title={updatedAt} aria-live="off">
          {age}
        </time>
        .{polling ? ' Retrying…' : null}
      </p>
      <ErrorMessage error={refreshError(query)} />
      <button type="button" className="button small" onClick={() => void refetch()}>
        {polling ? 'Retry now' : 'Try again'}
      </button>
    </div>
  );
}
