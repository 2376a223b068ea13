/** What StaleDataNotice reads of a query: TanStack Query's result has every one of these. */
export type RefreshState = {
  data: unknown;
  dataUpdatedAt: number;
  error: unknown;
  failureReason: unknown;
  failureCount: number;
  isRefetchError: boolean;
  isPlaceholderData: boolean;
  isFetching: boolean;
};

/**
 * True when data is on screen but the latest refresh failed (or is failing and being retried): the page
 * must not look live. Placeholder data (the previous filter's rows while a new one loads) is not "this
 * data, older": its own loading and error states cover it.
 */
export function isRefreshFailing(query: RefreshState): boolean {
  if (query.data === undefined || query.isPlaceholderData) {
    return false;
  }
  // failureCount outlives its fetch when data is written by hand (a pushed update): count it only while retrying.
  return query.isRefetchError || (query.failureCount > 0 && query.isFetching);
}

/** The error to show for a failing refresh: the last settled error, else the failure being retried. */
export function refreshError(query: RefreshState): unknown {
  return query.error ?? query.failureReason;
}

/** "40 s ago", "3 min ago", "just now": how old the data on screen is. */
export function formatDataAge(updatedAt: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - updatedAt) / 1000));
  if (seconds < 2) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min ago`;
}
