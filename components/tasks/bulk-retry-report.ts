import type { BulkRetryResult } from '../../lib/api/types';

/** What a bulk retry was asked to cover: every task matching a filter, or `count` chosen tasks. */
export type BulkRetryScope = { kind: 'filter' } | { kind: 'ids'; count: number };

const count = (value: number) => value.toLocaleString('en-US');
const plural = (value: number, word: string) => `${count(value)} ${word}${value === 1 ? '' : 's'}`;

/**
 * The outcome of a bulk retry (or of its dry run) in words: how many tasks it retried and how many it
 * skipped and why, e.g. "15 retried · 5 skipped: not in error, nothing to retry".
 *
 * The server counts in `skipped` only the tasks that changed between its count and their turn; chosen
 * ids that were not retryable at all never reach that count, so for ids the rest of the selection is
 * skipped too.
 */
export function summarizeBulkRetry(result: BulkRetryResult, scope: BulkRetryScope): string {
  const verb = result.dry_run ? 'would be retried' : 'retried';
  const parts = [`${count(result.tasks)} ${verb}`];
  const changedMeanwhile = result.skipped ?? 0; // absent from a dry run
  if (scope.kind === 'ids') {
    const skipped = Math.max(0, scope.count - result.tasks);
    if (skipped > 0) {
      parts.push(`${count(skipped)} ${result.dry_run ? 'would be ' : ''}skipped: not in error, nothing to retry`);
    }
  } else if (changedMeanwhile > 0) {
    parts.push(`${count(changedMeanwhile)} skipped: changed before their turn (finished, or nothing left to retry)`);
  }
  return parts.join(' · ');
}

/**
 * When more tasks matched than one call takes, what happened and how to go on; null otherwise. Retried
 * tasks no longer match the filter, so running the same retry again takes the next batch.
 */
export function describeTruncation(result: BulkRetryResult): string | null {
  if (!result.truncated) {
    return null;
  }
  const { limit } = result;
  if (result.dry_run) {
    return `More tasks match than one retry takes: this retries the first ${plural(limit, 'task')} (oldest first). Afterwards, check the rest and retry again: tasks already retried no longer match.`;
  }
  return `Stopped at the limit of ${plural(limit, 'task')} per retry: more tasks match and were not retried. Check the rest and retry again: tasks already retried no longer match.`;
}
