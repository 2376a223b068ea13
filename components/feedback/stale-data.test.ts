import { describe, expect, it } from 'vitest';
import { formatDataAge, isRefreshFailing, refreshError, type RefreshState } from './stale-data';

const fresh: RefreshState = {
  data: { items: [] },
  dataUpdatedAt: 1_000,
  error: null,
  failureReason: null,
  failureCount: 0,
  isRefetchError: false,
  isPlaceholderData: false,
  isFetching: false,
};

describe('isRefreshFailing', () => {
  it('is false while refreshes succeed', () => {
    expect(isRefreshFailing(fresh)).toBe(false);
  });

  it('is true once a refresh of shown data has failed for good', () => {
    expect(isRefreshFailing({ ...fresh, isRefetchError: true, error: new Error('down') })).toBe(true);
  });

  it('is true while a failed refresh is being retried', () => {
    expect(isRefreshFailing({ ...fresh, failureCount: 1, failureReason: new Error('down'), isFetching: true })).toBe(true);
  });

  it('is false once fresh data was written by hand after a failure (a pushed update)', () => {
    expect(isRefreshFailing({ ...fresh, failureCount: 1, failureReason: new Error('down'), isFetching: false })).toBe(false);
  });

  it('is false without data (the page shows its error state instead)', () => {
    expect(isRefreshFailing({ ...fresh, data: undefined, failureCount: 2, isFetching: true })).toBe(false);
  });

  it('is false over placeholder data from another key', () => {
    expect(isRefreshFailing({ ...fresh, isPlaceholderData: true, failureCount: 1, isFetching: true })).toBe(false);
  });
});

describe('refreshError', () => {
  it('prefers the settled error, then the failure being retried', () => {
    const settled = new Error('settled');
    const retrying = new Error('retrying');
    expect(refreshError({ ...fresh, error: settled, failureReason: retrying })).toBe(settled);
    expect(refreshError({ ...fresh, failureReason: retrying })).toBe(retrying);
  });
});

describe('formatDataAge', () => {
  it('says how old the data is', () => {
    expect(formatDataAge(0, 500)).toBe('just now');
    expect(formatDataAge(0, 40_000)).toBe('40 s ago');
    expect(formatDataAge(0, 3 * 60_000 + 5_000)).toBe('3 min ago');
    expect(formatDataAge(0, 2 * 3_600_000 + 7 * 60_000)).toBe('2 h 07 min ago');
  });

  it('never says a negative age (clock skew between renders)', () => {
    expect(formatDataAge(10_000, 9_000)).toBe('just now');
  });
});
