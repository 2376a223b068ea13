'use client';
import Link from 'next/link';
import { EmptyState } from '../components/feedback/empty-state';
import { ErrorState } from '../components/feedback/error-state';
import { LoadingState } from '../components/feedback/loading-state';
import { HourlyHistogram } from '../components/overview/hourly-histogram';
import { StackedBar, StatusBreakdown } from '../components/overview/status-breakdown';
import { StatCard } from '../components/overview/stat-card';
import { CircuitBadge, ModeBadge } from '../components/services/circuit-badge';
import { StatusBadge } from '../components/status/status-badge';
import { StatusIcon } from '../components/status/status-icon';
import { RelativeTime } from '../components/time/relative-time';
import { useFailureList } from '../lib/api/failures';
import { useOverview, type CappedCount } from '../lib/api/overview';
import { useServiceList } from '../lib/api/services';
import { taskListHref } from '../lib/api/task-filters';
import type { TaskListItem } from '../lib/api/types';

const shown = (value: CappedCount) => `${value.count}${value.capped ? '+' : ''}`;

export function OverviewPageClient() {
  const overview = useOverview();
  const data = overview.data;
  const scopeLabel = data?.counts.scope === 'all' ? 'every task' : `created in the last 24 h${data?.counts.capped ? ` (first ${data.recent.count})` : ''}`;
  const scopeFilter = data?.counts.scope === 'all' ? {} : { created_after: data?.since };
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Overview</h1>
          <p>What is failing, what is waiting, and where — every number opens the tasks behind it.</p>
        </div>
        {data ? (
          <span className="muted small">
            updated <RelativeTime iso={data.generatedAt} />
          </span>
        ) : null}
      </header>
      {overview.isPending ? <LoadingState rows={6} label="Counting tasks…" /> : null}
      {overview.isError && !data ? <ErrorState error={overview.error} title="Could not load the overview" onRetry={() => void overview.refetch()} /> : null}
      {data ? (
        <div className="stack">
          <div className="grid cols-4">
            <StatCard
              label="Failed tasks"
              icon={<StatusIcon status="error" />}
              value={shown(data.failed)}
              note={`${data.failed.lastHour} failed in the last hour`}
              href={taskListHref({ status: 'error' })}
              tone={data.failed.count > 0 ? 'danger' : 'success'}
              testId="stat-failed"
            />
            <StatCard
              label="Tasks with steps waiting to retry"
              icon={<StatusIcon status="waiting_retry" />}
              value={shown(data.waitingRetry)}
              note={`${data.waitingRetry.steps} step${data.waitingRetry.steps === 1 ? '' : 's'} waiting`}
              href={taskListHref({ step_status: 'waiting_retry' })}
              tone={data.waitingRetry.count > 0 ? 'warning' : 'success'}
              testId="stat-waiting"
            />
            <StatCard
              label="Running now"
              icon={<StatusIcon status="in_progress" />}
              value={shown(data.running)}
              note="tasks in progress"
              href={taskListHref({ status: 'in_progress' })}
              tone="active"
              testId="stat-running"
            />
            <OldestStuck task={data.oldestStuck} />
          </div>
          <div className="grid cols-3">
            <section className="card">
              <div className="card-header">
                <h2>Tasks by status</h2>
                <span className="muted small">{scopeLabel}</span>
              </div>
              <StatusBreakdown counts={data.counts.byStatus} filters={scopeFilter} />
            </section>
            <section className="card">
              <div className="card-header">
                <h2>Tasks by template</h2>
                <span className="muted small">{scopeLabel}</span>
              </div>
              {data.counts.byTemplate.length === 0 ? <EmptyState title="No tasks yet" /> : null}
              <div className="status-bars">
                {data.counts.byTemplate.map((template) => {
                  const filters = { namespace: template.namespace, name: template.name, ...scopeFilter };
                  return (
                    <div key={`${template.namespace}/${template.name}`} className="status-bar-row" style={{ gridTemplateColumns: '170px 1fr 56px' }}>
                      <Link href={taskListHref(filters)} title={`${template.namespace}/${template.name}`} className="mono small" style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>
                        {template.name}
                      </Link>
                      <StackedBar counts={template.byStatus} total={template.total} filters={filters} />
                      <Link href={taskListHref(filters)} className="num">
                        {template.total}
                      </Link>
                    </div>
                  );
                })}
              </div>
              {data.counts.byTemplate.some((template) => template.byStatus.error) ? (
                <p className="muted small">
                  Failed:{' '}
                  {data.counts.byTemplate
                    .filter((template) => template.byStatus.error)
                    .map((template) => (
                      <Link key={template.name} href={taskListHref({ namespace: template.namespace, name: template.name, status: 'error' })} style={{ marginRight: 8 }}>
                        {template.byStatus.error} {template.name}
                      </Link>
                    ))}
                </p>
              ) : null}
            </section>
            <ServicesSummary />
          </div>
          <div className="grid cols-2">
            <section className="card">
              <div className="card-header">
                <h2>Tasks created per hour</h2>
                <span className="muted small">last 24 h, coloured by status; click an hour</span>
              </div>
              <HourlyHistogram buckets={data.recent.buckets} />
            </section>
            <TopFailures />
          </div>
        </div>
      ) : null}
    </>
  );
}

function OldestStuck({ task }: { task: TaskListItem | null }) {
  if (!task) {
    return (
      <StatCard label="Oldest stuck task" icon={<StatusIcon status="complete" />} value="none" note="nothing is stuck" href={taskListHref({ status: 'error' })} tone="success" testId="stat-oldest" />
    );
  }
  const step = task.open_steps.find((item) => item.status === 'error' || item.status === 'waiting_retry') ?? task.open_steps[0];
  return (
    <StatCard
      label="Oldest stuck task"
      icon={<StatusIcon status={task.status} />}
      value={
        <span style={{ fontSize: 18 }}>
          #{task.id} <RelativeTime iso={task.created_at} />
        </span>
      }
      note={`${task.name}${step ? ` at ${step.name}` : ''}`}
      href={`/tasks/${task.id}${step ? `?step=${encodeURIComponent(step.name)}` : ''}`}
      tone="danger"
      testId="stat-oldest"
    />
  );
}

function ServicesSummary() {
  const services = useServiceList();
  return (
    <section className="card">
      <div className="card-header">
        <h2>Services and circuits</h2>
        <Link href="/services" className="small">
          manage
        </Link>
      </div>
      {services.isPending ? <LoadingState rows={3} /> : null}
      {services.isError && !services.data ? <ErrorState error={services.error} title="Could not load the services" /> : null}
      <ul className="circuit-list">
        {services.data?.services.map((service) => (
          <li key={service.name}>
            <Link href="/services" className="mono">
              {service.name}
            </Link>
            <span className="action-row">
              {service.demo ? <ModeBadge mode={service.mode} /> : null}
              <CircuitBadge circuit={service.circuit} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function TopFailures() {
  const failures = useFailureList();
  const groups = failures.data?.groups.slice(0, 5) ?? [];
  return (
    <section className="card">
      <div className="card-header">
        <h2>Top failures</h2>
        <Link href="/failures" className="small">
          all failures
        </Link>
      </div>
      {failures.isPending ? <LoadingState rows={3} /> : null}
      {failures.isError && !failures.data ? <ErrorState error={failures.error} title="Could not load the failures" /> : null}
      {failures.data && groups.length === 0 ? <EmptyState title="Nothing is failing" /> : null}
      <ul className="circuit-list">
        {groups.map((group) => (
          <li key={`${group.namespace}/${group.name}/${group.step}/${group.signature}`}>
            <span style={{ minWidth: 0 }}>
              <StatusBadge status={group.step_status || 'error'} compact /> <strong className="mono">{group.step}</strong>{' '}
              <span className="muted small">{group.name}</span>
              <br />
              <span className="small tone-danger mono" style={{ overflowWrap: 'anywhere' }}>
                {group.signature}
              </span>
            </span>
            <Link
              href={taskListHref({ namespace: group.namespace, name: group.name, step: group.step, step_status: group.step_status || 'error' })}
              className="num"
              style={{ fontSize: 18, fontWeight: 650 }}
            >
              {group.count}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
