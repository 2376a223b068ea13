'use client';

import { useState } from 'react';
import { EmptyState } from '../../components/feedback/empty-state';
import { ErrorMessage, ErrorState } from '../../components/feedback/error-state';
import { LoadingState } from '../../components/feedback/loading-state';
import { PermissionNote } from '../../components/feedback/permission-note';
import { StaleDataNotice } from '../../components/feedback/stale-data-notice';
import { AlertDeliveries } from '../../components/services/alert-deliveries';
import { ServiceCard } from '../../components/services/service-card';
import { Link } from '../../components/shell/link';
import { useResetServices, useServiceList } from '../../lib/api/services';
import { usePermission } from '../../lib/api/session';
import { taskListHref } from '../../lib/api/task-filters';
import { useCreateTask } from '../../lib/api/tasks';

/** Starts a few registrations with fresh e-mail addresses, so there is traffic to watch. */
function StartRegistrations() {
  const create = useCreateTask();
  const mayStart = usePermission('operator', 'change service modes or start tasks');
  const [count, setCount] = useState('10');
  const [started, setStarted] = useState<number | null>(null);
  const [running, setRunning] = useState(false);
  const start = async () => {
    setRunning(true);
    setStarted(null);
    const stamp = Date.now().toString(36);
    const total = Math.min(Math.max(Number(count) || 1, 1), 200);
    let done = 0;
    try {
      for (let index = 0; index < total; index += 1) {
        await create.mutateAsync({
          namespace: 'blog_examples',
          name: 'user_registration',
          context: {
            user_info: { email: `demo-${stamp}-${index}@example.com`, name: `Demo user ${index + 1}`, plan: index % 3 === 0 ? 'pro' : 'free' },
            billing_info: { payment_method: 'card' },
          },
        });
        done += 1;
      }
    } finally {
      setStarted(done);
      setRunning(false);
    }
  };
  return (
    <div className="card">
      <div className="card-header">
        <h2>Send traffic</h2>
      </div>
      <div className="toolbar" style={{ margin: 0 }}>
        <label className="field">
          <span>registrations</span>
          <input type="number" min={1} max={200} value={count} onChange={(event) => setCount(event.target.value)} style={{ width: 90 }} />
        </label>
        <button
          type="button"
          className="button primary"
          disabled={running || !mayStart.allowed}
          title={mayStart.reason ?? undefined}
          onClick={() => void start()}
          style={{ alignSelf: 'flex-end' }}
        >
          {running ? 'Starting…' : 'Start registrations'}
        </button>
        {started !== null ? (
          <span className="success-text" style={{ alignSelf: 'flex-end' }} role="status">
            Started {started}. <Link href={taskListHref({ name: 'user_registration' })}>Watch them</Link>
          </span>
        ) : null}
      </div>
      {create.isError ? <ErrorMessage error={create.error} /> : null}
    </div>
  );
}

export function ServicesPageClient() {
  const services = useServiceList();
  const reset = useResetServices();
  const mayChange = usePermission('operator', 'change service modes or start tasks');
  const list = services.data?.services ?? [];
  const hasDemo = list.some((service) => service.demo);
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Services</h1>
          <p>
            The remote systems steps call, with their circuit breakers. Reproduce the 2 AM billing outage: set <strong>billing</strong> to Down, start
            registrations, watch them wait on <Link href="/failures">Failures</Link>; set it Up and they finish on their own.
          </p>
        </div>
        {hasDemo ? (
          <div className="header-actions">
            <button
              type="button"
              className="button"
              disabled={reset.isPending || !mayChange.allowed}
              title={mayChange.reason ?? undefined}
              onClick={() => reset.mutate()}
            >
              {reset.isPending ? 'Resetting…' : 'Reset demo services'}
            </button>
          </div>
        ) : null}
      </header>
      {hasDemo ? <PermissionNote permission={mayChange} /> : null}
      {reset.isError ? <ErrorMessage error={reset.error} /> : null}
      <StaleDataNotice query={services} refetch={services.refetch} what="the services" />
      {services.isPending ? <LoadingState rows={6} label="Loading services…" /> : null}
      {services.isError && !services.data ? (
        <ErrorState error={services.error} title="Could not load the services" onRetry={() => void services.refetch()} />
      ) : null}
      {services.data && list.length === 0 ? (
        <div className="card">
          <EmptyState title="No services configured" />
        </div>
      ) : null}
      <div className="grid cols-2">
        {list.map((service) => (
          <ServiceCard key={service.name} service={service} />
        ))}
      </div>
      {hasDemo ? (
        <div style={{ marginTop: 12 }}>
          <StartRegistrations />
        </div>
      ) : null}
      <div style={{ marginTop: 12 }}>
        <AlertDeliveries />
      </div>
    </>
  );
}
