'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useId, useState } from 'react';
import { BulkCompensateDialog, type BulkCompensateTarget } from '../../components/failures/bulk-compensate-dialog';
import { FailureGroupCard, failureGroupFilter } from '../../components/failures/failure-group-card';
import { WaitingGroupCard } from '../../components/failures/waiting-group-card';
import { EmptyState } from '../../components/feedback/empty-state';
import { ErrorState } from '../../components/feedback/error-state';
import { LoadingState } from '../../components/feedback/loading-state';
import { PermissionNote } from '../../components/feedback/permission-note';
import { StaleDataNotice } from '../../components/feedback/stale-data-notice';
import { Link } from '../../components/shell/link';
import { BulkRetryDialog, type BulkRetryTarget } from '../../components/tasks/bulk-retry-dialog';
import { describeTemplateFilter, TemplateSelect, type TemplateFilter } from '../../components/tasks/template-select';
import { useFailureList } from '../../lib/api/failures';
import { usePermission } from '../../lib/api/session';
import type { FailureGroup } from '../../lib/api/types';

function retryTargetOf(group: FailureGroup): BulkRetryTarget {
  const description = `${group.count} ${group.namespace}/${group.name} task${group.count === 1 ? '' : 's'} failing at ${group.step}: ${group.signature}`;
  return { kind: 'filter', filter: failureGroupFilter(group), description };
}

/**
 * Narrows the failures to one template (`?namespace=&name=` in the address, so the view is a link): a
 * picker of every template, and the applied filter as a chip that removes it.
 */
function TemplatePicker({ filter, onChange }: { filter: TemplateFilter; onChange: (filter: TemplateFilter) => void }) {
  const applied = filter.namespace || filter.name;
  return (
    <div className="filter-bar" role="search" aria-label="Filter failures" data-testid="failure-filters">
      <TemplateSelect value={filter} onChange={onChange} anyLabel="every template" />
      {applied ? (
        <div className="field">
          <span>showing only</span>
          <span className="filter-chip" data-testid="failure-template-filter">
            <span className="mono">{describeTemplateFilter(filter)}</span>
            <button type="button" className="icon-button small" aria-label="Remove the template filter" onClick={() => onChange({})}>
              ×
            </button>
          </span>
        </div>
      ) : null}
    </div>
  );
}

export function FailuresPageClient() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filter: TemplateFilter = {
    namespace: searchParams.get('namespace')?.trim() || undefined,
    name: searchParams.get('name')?.trim() || undefined,
  };
  const isFiltered = Boolean(filter.namespace || filter.name);
  const failures = useFailureList(filter);
  const [target, setTarget] = useState<BulkRetryTarget | null>(null);
  const [compensateTarget, setCompensateTarget] = useState<BulkCompensateTarget | null>(null);
  const mayRetry = usePermission('operator', 'retry tasks');
  const retryNoteId = useId();
  const groups = failures.data?.groups ?? [];
  const waitingGroups = failures.data?.waiting_groups ?? [];
  const totalTasks = groups.reduce((sum, group) => sum + group.count, 0) + waitingGroups.reduce((sum, group) => sum + group.count, 0);
  const changeFilter = (next: TemplateFilter) => {
    const params = new URLSearchParams(searchParams.toString());
    for (const key of ['namespace', 'name'] as const) {
      if (next[key]) {
        params.set(key, next[key]);
      } else {
        params.delete(key);
      }
    }
    const query = params.toString();
    router.push(`${pathname}${query ? `?${query}` : ''}`, { scroll: false });
  };
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Failures</h1>
          <p>Failed and stuck tasks, grouped by template, failing step and error signature — with what each group already did in its services.</p>
        </div>
        {failures.data ? (
          <div className="header-actions muted">
            {groups.length + waitingGroups.length} group{groups.length + waitingGroups.length === 1 ? '' : 's'} · {totalTasks} task
            {totalTasks === 1 ? '' : 's'}
            {isFiltered ? ` in ${describeTemplateFilter(filter)}` : ''}
          </div>
        ) : null}
      </header>
      <TemplatePicker filter={filter} onChange={changeFilter} />
      {groups.length > 0 ? <PermissionNote permission={mayRetry} id={retryNoteId} /> : null}
      <StaleDataNotice query={failures} refetch={failures.refetch} what="the failures" />
      {failures.isPending ? <LoadingState rows={6} label="Grouping failures…" /> : null}
      {failures.isError && !failures.data ? (
        <ErrorState error={failures.error} title="Could not load the failures" onRetry={() => void failures.refetch()} />
      ) : null}
      {failures.data && groups.length === 0 && waitingGroups.length === 0 ? (
        <div className="card">
          {isFiltered ? (
            <EmptyState title={`Nothing is failing in ${describeTemplateFilter(filter)}`}>
              <p>No task of this template is in error or stuck retrying.</p>
              <p>
                <button type="button" className="button small" onClick={() => changeFilter({})}>
                  Show every template
                </button>
              </p>
            </EmptyState>
          ) : (
            <EmptyState title="Nothing is failing">
              <p>No task is in error or stuck retrying. Every workflow is running or done.</p>
              <p>
                <Link href="/tasks">See every task</Link>
              </p>
            </EmptyState>
          )}
        </div>
      ) : null}
      {waitingGroups.length > 0 ? (
        <div className="stack" data-testid="waiting-groups" aria-label="Steps waiting on a service">
          {waitingGroups.map((group) => (
            <WaitingGroupCard
              key={`${group.namespace}/${group.name}/${group.step}/${group.service}/${group.kind}`}
              group={group}
              stuckAfterSeconds={failures.data?.stuck_after_seconds ?? 300}
            />
          ))}
        </div>
      ) : null}
      <div className="stack" data-testid="failure-groups">
        {groups.map((group) => (
          <FailureGroupCard
            key={`${group.namespace}/${group.name}/${group.step}/${group.signature}/${group.step_status}`}
            group={group}
            onRetry={(item) => setTarget(retryTargetOf(item))}
            onCompensate={(item) => setCompensateTarget({ filter: failureGroupFilter(item), description: retryTargetOf(item).description })}
            retryPermission={mayRetry}
            retryNoteId={retryNoteId}
          />
        ))}
      </div>
      <BulkRetryDialog target={target} onClose={() => setTarget(null)} />
      {compensateTarget ? <BulkCompensateDialog target={compensateTarget} onClose={() => setCompensateTarget(null)} /> : null}
    </>
  );
}
