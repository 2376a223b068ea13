'use client';
import Link from 'next/link';
import { useState } from 'react';
import { failureGroupFilter, FailureGroupCard } from '../../components/failures/failure-group-card';
import { EmptyState } from '../../components/feedback/empty-state';
import { ErrorState } from '../../components/feedback/error-state';
import { LoadingState } from '../../components/feedback/loading-state';
import { StaleDataNotice } from '../../components/feedback/stale-data-notice';
import { BulkRetryDialog, type BulkRetryTarget } from '../../components/tasks/bulk-retry-dialog';
import { useFailureList } from '../../lib/api/failures';
import type { FailureGroup } from '../../lib/api/types';

function retryTargetOf(group: FailureGroup): BulkRetryTarget {
  const description = `${group.count} ${group.namespace}/${group.name} task${group.count === 1 ? '' : 's'} failing at ${group.step}: ${group.signature}`;
  return { kind: 'filter', filter: failureGroupFilter(group), description };
}

export function FailuresPageClient() {
  const failures = useFailureList();
  const [target, setTarget] = useState<BulkRetryTarget | null>(null);
  const groups = failures.data?.groups ?? [];
  const totalTasks = groups.reduce((sum, group) => sum + group.count, 0);
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Failures</h1>
          <p>Failed and stuck tasks, grouped by template, failing step and error signature — with what each group already did in its services.</p>
        </div>
        {failures.data ? (
          <div className="header-actions muted">
            {groups.length} group{groups.length === 1 ? '' : 's'} · {totalTasks} task{totalTasks === 1 ? '' : 's'}
          </div>
        ) : null}
      </header>
      <StaleDataNotice query={failures} refetch={failures.refetch} what="the failures" />
      {failures.isPending ? <LoadingState rows={6} label="Grouping failures…" /> : null}
      {failures.isError && !failures.data ? <ErrorState error={failures.error} title="Could not load the failures" onRetry={() => void failures.refetch()} /> : null}
      {failures.data && groups.length === 0 ? (
        <div className="card">
          <EmptyState title="Nothing is failing">
            <p>No task is in error or stuck retrying. Every workflow is running or done.</p>
            <p>
              <Link href="/tasks">See every task</Link>
            </p>
          </EmptyState>
        </div>
      ) : null}
      <div className="stack" data-testid="failure-groups">
        {groups.map((group) => (
          <FailureGroupCard key={`${group.namespace}/${group.name}/${group.step}/${group.signature}/${group.step_status}`} group={group} onRetry={(item) => setTarget(retryTargetOf(item))} />
        ))}
      </div>
      <BulkRetryDialog target={target} onClose={() => setTarget(null)} />
    </>
  );
}
