'use client';

import { useState } from 'react';
import { useSetServiceMode } from '../../lib/api/services';
import { usePermission } from '../../lib/api/session';
import type { ServiceInfo, ServiceModeBody } from '../../lib/api/types';
import { ErrorMessage } from '../feedback/error-state';
import { Countdown } from '../time/countdown';
import { RelativeTime } from '../time/relative-time';
import { CircuitBadge, ModeBadge } from './circuit-badge';
import { CircuitControls } from './circuit-controls';
import { HoldBadge, ServiceHold, ServiceLimits } from './service-hold';

const MODES: { mode: ServiceModeBody['mode']; label: string; hint: string }[] = [
  { mode: 'up', label: 'Up', hint: 'answers normally' },
  { mode: 'down', label: 'Down', hint: 'answers 503 (retryable)' },
  { mode: 'slow', label: 'Slow', hint: 'answers after the latency' },
  { mode: 'flaky', label: 'Flaky', hint: 'fails a share of calls with 500' },
  { mode: 'rate_limited', label: 'Rate limited', hint: 'answers 429 with Retry-After' },
  { mode: 'reject', label: 'Reject', hint: 'answers 422 (permanent error)' },
];

/** One service: where it is, its circuit, and for a demo service, buttons to make it misbehave. */
export function ServiceCard({ service }: { service: ServiceInfo }) {
  const setMode = useSetServiceMode();
  // The page says why once (PermissionNote); each button carries the reason as its title.
  const mayChange = usePermission('operator', 'change service modes or start tasks');
  const [latency, setLatency] = useState(String(service.latency_ms || 3000));
  const [failureRate, setFailureRate] = useState(String(service.failure_rate || 0.2));
  const [retryAfter, setRetryAfter] = useState(String(service.retry_after_seconds || 2));
  const apply = (mode: ServiceModeBody['mode']) =>
    setMode.mutate({
      name: service.name,
      mode,
      ...(mode === 'slow' ? { latency_ms: Number(latency) } : {}),
      ...(mode === 'flaky' ? { failure_rate: Number(failureRate) } : {}),
      ...(mode === 'rate_limited' ? { retry_after_seconds: Number(retryAfter) } : {}),
    });
  const circuit = service.circuit;
  return (
    <article className="card service-card" data-testid="service-card" data-service={service.name} aria-label={`Service ${service.name}`}>
      <div className="card-header">
        <h2 className="mono">{service.name}</h2>
        <div className="action-row">
          <ModeBadge mode={service.demo ? service.mode : null} />
          <CircuitBadge circuit={circuit} />
          <HoldBadge hold={service.hold} />
        </div>
      </div>
      <dl className="kv">
        <dt>URL</dt>
        <dd className="mono small">{service.url ?? '—'}</dd>
        {service.calls !== null ? (
          <>
            <dt>calls</dt>
            <dd>{service.calls}</dd>
          </>
        ) : null}
        {service.records !== null ? (
          <>
            <dt>records held</dt>
            <dd>{service.records}</dd>
          </>
        ) : null}
        <dt>steps waiting on it</dt>
        <dd>{service.waiting_steps}</dd>
        <ServiceLimits limits={service.limits} />
        <dt>failures in a row</dt>
        <dd>{circuit.failures}</dd>
        {circuit.opened_at ? (
          <>
            <dt>opened</dt>
            <dd>
              <RelativeTime iso={circuit.opened_at} />
            </dd>
          </>
        ) : null}
        {circuit.next_probe_at && circuit.state !== 'closed' ? (
          <>
            <dt>next probe</dt>
            <dd>
              <Countdown iso={circuit.next_probe_at} />
            </dd>
          </>
        ) : null}
        {circuit.last_error ? (
          <>
            <dt>last error</dt>
            <dd className="small">{circuit.last_error}</dd>
          </>
        ) : null}
      </dl>
      <CircuitControls service={service} />
      <ServiceHold service={service} />
      {service.demo ? (
        <div className="stack" style={{ gap: 8 }}>
          <div className="mode-buttons" role="group" aria-label={`Mode of ${service.name}`}>
            {MODES.map((item) => (
              <button
                key={item.mode}
                type="button"
                className={`button small${service.mode === item.mode ? ' active' : ''}`}
                aria-pressed={service.mode === item.mode}
                title={mayChange.reason ?? item.hint}
                disabled={setMode.isPending || !mayChange.allowed}
                onClick={() => apply(item.mode)}
              >
                {item.label}
              </button>
            ))}
          </div>
          <div className="mode-options">
            <label className="field">
              <span>latency ms (slow)</span>
              <input type="number" min={0} step={100} value={latency} onChange={(event) => setLatency(event.target.value)} />
            </label>
            <label className="field">
              <span>failure rate (flaky)</span>
              <input type="number" min={0} max={1} step={0.05} value={failureRate} onChange={(event) => setFailureRate(event.target.value)} />
            </label>
            <label className="field">
              <span>Retry-After s (429)</span>
              <input type="number" min={0} step={1} value={retryAfter} onChange={(event) => setRetryAfter(event.target.value)} />
            </label>
          </div>
          {setMode.isError ? <ErrorMessage error={setMode.error} /> : null}
        </div>
      ) : (
        <p className="muted small">A real service (SERVICE_{service.name.toUpperCase()}_URL): its behaviour is not controlled here.</p>
      )}
    </article>
  );
}
