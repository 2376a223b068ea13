import { describe, expect, it } from 'vitest';
import { hasTaskFilters, readTaskFilters, splitFilterList, taskListHref, toTaskListSearch } from './task-filters';

describe('task filters in the URL', () => {
  it('reads known filters and drops empty and unknown ones', () => {
    const params = new URLSearchParams('status=error&q=%20ann%40example.com%20&name=&foo=bar&step=setup_billing_profile');
    expect(readTaskFilters(params)).toEqual({ status: 'error', q: 'ann@example.com', step: 'setup_billing_profile' });
  });

  it('reads a list filter given comma-separated or repeated as one comma-separated value', () => {
    expect(readTaskFilters(new URLSearchParams('status=error,cancelled'))).toEqual({ status: 'error,cancelled' });
    expect(readTaskFilters(new URLSearchParams('status=error&status=cancelled&step_status=error,%20waiting_retry,'))).toEqual({
      status: 'error,cancelled',
      step_status: 'error,waiting_retry',
    });
    expect(readTaskFilters(new URLSearchParams('status=error,error&status=,'))).toEqual({ status: 'error' });
  });

  it('splits a list filter into its values', () => {
    expect(splitFilterList(' error, cancelled ,,error')).toEqual(['error', 'cancelled']);
    expect(splitFilterList(undefined)).toEqual([]);
  });

  it('writes filters in a stable order so a view is one link', () => {
    expect(toTaskListSearch({ step: 'b', status: 'error', namespace: 'ns' })).toBe('?status=error&namespace=ns&step=b');
    expect(toTaskListSearch({})).toBe('');
    expect(toTaskListSearch({ status: 'error' }, { cursor: 'abc', ignored: undefined })).toBe('?status=error&cursor=abc');
  });

  it('round-trips through the query string', () => {
    const filters = { status: 'waiting', q: 'a b&c', created_after: '2024-01-01T00:00:00.000Z' };
    expect(readTaskFilters(new URLSearchParams(toTaskListSearch(filters).slice(1)))).toEqual(filters);
  });

  it('builds links to the filtered list', () => {
    expect(taskListHref({ name: 'user_registration', status: 'error' })).toBe('/tasks?status=error&name=user_registration');
    expect(hasTaskFilters({})).toBe(false);
    expect(hasTaskFilters({ q: 'x' })).toBe(true);
  });
});
