import { describe, expect, it } from 'vitest';
import type { BulkRetryResult } from '../../lib/api/types';
import { describeTruncation, summarizeBulkRetry } from './bulk-retry-report';

const result = (patch: Partial<BulkRetryResult>): BulkRetryResult => ({
  dry_run: false,
  tasks: 15,
  steps: [{ name: 'charge', count: 15 }],
  task_ids: [],
  truncated: false,
  limit: 10_000,
  skipped: 0,
  ...patch,
});

describe('summarizeBulkRetry', () => {
  it('counts the selected tasks that were not retried as skipped', () => {
    expect(summarizeBulkRetry(result({}), { kind: 'ids', count: 20 })).toBe('15 retried · 5 skipped: not in error, nothing to retry');
  });

  it('says nothing was skipped when every selected task was retried', () => {
    expect(summarizeBulkRetry(result({}), { kind: 'ids', count: 15 })).toBe('15 retried');
  });

  it('reports the tasks a filter matched that changed before their turn', () => {
    expect(summarizeBulkRetry(result({ tasks: 18, skipped: 2 }), { kind: 'filter' })).toBe(
      '18 retried · 2 skipped: changed before their turn (finished, or nothing left to retry)',
    );
  });

  it('speaks of a dry run in the conditional', () => {
    expect(summarizeBulkRetry(result({ dry_run: true, tasks: 3, skipped: undefined }), { kind: 'ids', count: 4 })).toBe(
      '3 would be retried · 1 would be skipped: not in error, nothing to retry',
    );
  });

  it('writes large numbers with separators', () => {
    expect(summarizeBulkRetry(result({ tasks: 10_000 }), { kind: 'filter' })).toBe('10,000 retried');
  });
});

describe('describeTruncation', () => {
  it('is null when every matching task fitted', () => {
    expect(describeTruncation(result({}))).toBeNull();
  });

  it('names the limit and how to retry the rest', () => {
    const text = describeTruncation(result({ truncated: true, tasks: 9_990, skipped: 10 }));
    expect(text).toContain('limit of 10,000 tasks per retry');
    expect(text).toContain('retry again');
  });

  it('warns before a dry run that only the first batch is retried', () => {
    expect(describeTruncation(result({ dry_run: true, truncated: true }))).toContain('the first 10,000 tasks');
  });
});
