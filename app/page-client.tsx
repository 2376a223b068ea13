'use client';

import { EmptyState } from '../components/feedback/empty-state';
import { ErrorState } from '../components/feedback/error-state';
import { LoadingState } from '../components/feedback/loading-state';
import { StaleDataNotice } from '../components/feedback/stale-data-notice';
import { HourlyHistogram } from '../components/overview/hourly-histogram';
import { StatCard } from '../components/overview/stat-card';
import { StackedBar, StatusBreakdown } from '../components/overview/status-breakdown';
import { CircuitBadge, ModeBadge } from '../components/services/circuit-badge';
import { Link } from '../components/shell/link';
import { StatusBadge } from '../components/status/status-badge';
import { StatusIcon } from '../components/status/status-icon';
import { statusLabel } from '../components/status/status-style';
import { RelativeTime } from '../components/time/relative-time';
import { useFailureList } from '../lib/api/failures';
import { useOverview } from '../lib/api/overview';
import { useServiceList } from '../lib/api/services';
import { fromTaskFilter, taskListHref } from '../lib/api/task-filters';
import type { Overview } from '../lib/api/types';

const count = (value: number) => value.toLocaleString('en-US');
const plural = (value: number, one: string, many = `${one}s`) => `${count(value)} ${value === 1 ? one : many}`;

export function OverviewPageClient() {
  const overview = useOverview();
  const data = overview.data;
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Overview</h1>
          <p>What is failing, what is waiting, and where — every number opens the tasks behind it.</p>
        </div>
        {data ? (
          <span className="muted small" title={`Counted at ${data.generated_at} over every task`}>
            updated <RelativeTime iso={data.generated_at} />
          </span>
        ) : null}
      </header>
      <StaleDataNotice query={overview} refetch={overview.refetch} what="the overview" />
      {overview.isPending ? <LoadingState rows={6} label="Counting tasks…" /> : null}
      {overview.isError && !data ? (
        <ErrorState error={overview.error} title="Could not load the overview" onRetry={() => void overview.refetch()} />
      ) : null}
      {data ? (
        <div className="stack">
          <div className="grid cols-4">
            <StatCard
              label="Failed tasks"
              icon={<StatusIcon status="error" />}
              value={count(data.failed.tasks)}
              note={`${count(data.failed.last_hour)} failed in the last hour`}
              href={taskListHref({ status: 'error' })}
              noteHref={taskListHref({ status: 'error', failed_after: data.failed.last_hour_since })}
              tone={data.failed.tasks > 0 ? 'danger' : 'success'}
              testId="stat-failed"
            />
            <StatCard
              label="Tasks with steps waiting to retry"
              icon={<StatusIcon status="waiting_retry" />}
              value={count(data.waiting_retry.tasks)}
              note={
                data.waiting_on_services.steps > 0
                  ? `${plural(data.waiting_retry.steps, 'step')} waiting to retry · ${plural(data.waiting_on_services.steps, 'step')} held back by a service (circuit open, hold or limit)`
                  : `${plural(data.waiting_retry.steps, 'step')} waiting to retry`
              }
              href={taskListHref({ step_status: 'waiting_retry' })}
              noteHref={taskListHref({ step_status: 'waiting_retry' })}
              tone={data.waiting_retry.tasks > 0 ? 'warning' : 'success'}
              testId="stat-waiting"
            />
            <StatCard
              label="Running now"
              icon={<StatusIcon status="in_progress" />}
              value={count(data.running.tasks)}
              note="tasks in progress"
              href={taskListHref({ status: 'in_progress' })}
              tone="active"
              testId="stat-running"
            />
            <OldestStuck task={data.oldest_stuck} stuckAfterMinutes={data.stuck_after_minutes} stuckTasks={data.stuck.tasks} />
          </div>
          <div className="grid cols-3">
            <section className="card">
              <div className="card-header">
                <h2>Tasks by status</h2>
                <Link href="/tasks" className="muted small" data-testid="overview-total">
                  all {plural(data.tasks.total, 'task')}
                </Link>
              </div>
              <StatusBreakdown counts={data.tasks.by_status} />
            </section>
            <TemplateBreakdown templates={data.tasks.by_template} />
            <ServicesSummary />
          </div>
          <div className="grid cols-2">
            <HourlyHistogram createdPerHour={data.created_per_hour} />
            <TopFailures />
          </div>
        </div>
      ) : null}
    </>
  );
}

function TemplateBreakdown({ templates }: { templates: Overview['tasks']['by_template'] }) {
  const failing = templates.filter((template) => template.by_status.error);
  return (
    <section className="card">
      <div className="card-header">
        <h2>Tasks by template</h2>
        <span className="muted small">every task, by status</span>
      </div>
      {templates.length === 0 ? <EmptyState title="No tasks yet" /> : null}
      <div className="status-bars">
        {templates.map((template) => {
          const filters = { namespace: template.namespace, name: template.name };
          return (
            <div key={`${template.namespace}/${template.name}`} className="status-bar-row template-row">
              <Link href={taskListHref(filters)} title={`${template.namespace}/${template.name}`} className="mono small template-name">
                {template.name}
              </Link>
              <StackedBar counts={template.by_status} total={template.total} filters={filters} />
              <Link href={taskListHref(filters)} className="num">
                {count(template.total)}
              </Link>
            </div>
          );
        })}
      </div>
      {failing.length > 0 ? (
        <p className="muted small">
          Failed:{' '}
          {failing.map((template) => (
            <Link
              key={`${template.namespace}/${template.name}`}
              href={taskListHref({ namespace: template.namespace, name: template.name, status: 'error' })}
              style={{ marginRight: 8 }}
            >
              {count(template.by_status.error ?? 0)} {template.name}
            </Link>
          ))}
        </p>
      ) : null}
    </section>
  );
}

function OldestStuck({ task, stuckAfterMinutes, stuckTasks }: { task: Overview['oldest_stuck']; stuckAfterMinutes: number; stuckTasks: number }) {
  if (!task) {
    return (
      <StatCard
        label="Oldest stuck task"
        icon={<StatusIcon status="complete" />}
        value="none"
        note={`nothing in error or waiting for over ${stuckAfterMinutes} min`}
        href={taskListHref({ status: 'error' })}
        tone="success"
        testId="stat-oldest"
      />
    );
  }
  return (
    <StatCard
      label="Oldest stuck task"
      icon={<StatusIcon status={task.status} />}
      value={`#${task.id}`}
      note={
        <>
          <span className="mono">{task.name}</span>
          {task.step ? (
            <>
              {' '}
              at <span className="mono">{task.step.name}</span> ({statusLabel(task.step.status)})
            </>
          ) : null}
          <br />
          {task.status === 'error' ? 'in error' : 'in progress, waiting'} since <RelativeTime iso={task.stuck_since} />, created{' '}
          <RelativeTime iso={task.created_at} />
          {stuckTasks > 0 ? (
            <>
              <br />
              {plural(stuckTasks, 'task')} waiting for over {stuckAfterMinutes} min
            </>
          ) : null}
        </>
      }
      href={`/tasks/${task.id}${task.step ? `?step=${encodeURIComponent(task.step.name)}` : ''}`}
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
      {services.data && services.data.services.length === 0 ? <EmptyState title="No services are configured" /> : null}
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
              <StatusBadge status={group.step_status} compact /> <strong className="mono">{group.step}</strong>{' '}
              <span className="muted small">{group.name}</span>
              <br />
              <span className="small tone-danger mono" style={{ overflowWrap: 'anywhere' }}>
                {group.signature}
              </span>
            </span>
            <Link
              href={taskListHref(fromTaskFilter(group.filter))}
              className="num"
              style={{ fontSize: 18, fontWeight: 650 }}
              title="The tasks of this failure group"
            >
              {group.count}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
