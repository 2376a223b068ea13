'use client';

import { useAlertDeliveries } from '../../lib/api/alerts';
import type { AlertDelivery } from '../../lib/api/types';
import { EmptyState } from '../feedback/empty-state';
import { ErrorState } from '../feedback/error-state';
import { LoadingState } from '../feedback/loading-state';
import { Link } from '../shell/link';
import { StatusIcon } from '../status/status-icon';
import { Countdown } from '../time/countdown';
import { RelativeTime } from '../time/relative-time';

/** Long signatures and errors wrap instead of widening the table. */
const WRAP = { whiteSpace: 'normal', overflowWrap: 'anywhere' } as const;

const STATE_LOOK: Record<AlertDelivery['state'], { tone: string; icon: string; label: string }> = {
  pending: { tone: 'warning', icon: 'waiting_retry', label: 'waiting to retry' },
  sending: { tone: 'active', icon: 'in_progress', label: 'sending' },
  delivered: { tone: 'success', icon: 'complete', label: 'delivered' },
  failed: { tone: 'danger', icon: 'error', label: 'given up' },
};

function DeliveryState({ delivery }: { delivery: AlertDelivery }) {
  // A message not tried yet is "queued", not "waiting to retry".
  const look =
    delivery.state === 'pending' && delivery.attempts === 0 ? { tone: 'queued', icon: 'pending', label: 'queued' } : STATE_LOOK[delivery.state];
  return (
    <span className={`status-badge tone-${look.tone}`} data-delivery-state={delivery.state}>
      <StatusIcon status={look.icon} />
      <span>{look.label}</span>
    </span>
  );
}

function Outcome({ delivery }: { delivery: AlertDelivery }) {
  if (delivery.state === 'delivered') {
    return (
      <span className="small">
        HTTP {delivery.response_status} {delivery.delivered_at ? <RelativeTime iso={delivery.delivered_at} /> : null}
      </span>
    );
  }
  return (
    <span className="small">
      {delivery.last_error ?? '—'}
      {delivery.state === 'pending' && delivery.next_attempt_at && delivery.attempts > 0 ? (
        <span className="muted">
          {' '}
          · next try <Countdown iso={delivery.next_attempt_at} />
        </span>
      ) : null}
    </span>
  );
}

/** Where failure alerts go and the latest ones sent, with their outcome: the Services page's alerts card. */
export function AlertDeliveries() {
  const alerts = useAlertDeliveries();
  const data = alerts.data;
  return (
    <section className="card" aria-labelledby="alert-deliveries-title" data-testid="alert-deliveries">
      <div className="card-header">
        <h2 id="alert-deliveries-title">Alerts</h2>
        {data ? (
          <span className="muted small">
            {data.enabled ? (
              <>
                to <span className="mono">{data.receiver}</span> · at most one per failure group every {data.quiet_seconds} s
              </>
            ) : (
              'off: set ALERT_WEBHOOK_URL to be told of new failure groups'
            )}
          </span>
        ) : null}
      </div>
      {alerts.isPending ? <LoadingState rows={2} label="Loading alerts…" /> : null}
      {alerts.isError && !data ? <ErrorState error={alerts.error} title="Could not load the alerts" onRetry={() => void alerts.refetch()} /> : null}
      {data && data.deliveries.length === 0 ? (
        <EmptyState title="No alert sent yet">
          {data.enabled ? 'A message goes out when a new failure group appears on the Failures page, and another when it empties.' : null}
        </EmptyState>
      ) : null}
      {data && data.deliveries.length > 0 ? (
        <div className="table-card">
          <table className="data-table" data-testid="alert-delivery-table">
            <caption className="sr-only">The latest alert messages, newest first</caption>
            <thead>
              <tr>
                <th scope="col">queued</th>
                <th scope="col">message</th>
                <th scope="col">failure group</th>
                <th scope="col" className="num">
                  tasks
                </th>
                <th scope="col">delivery</th>
              </tr>
            </thead>
            <tbody>
              {data.deliveries.map((delivery) => (
                <tr key={delivery.id} data-kind={delivery.kind}>
                  <td>
                    <RelativeTime iso={delivery.created_at} />
                  </td>
                  <td>{delivery.kind === 'failing' ? 'failing' : 'resolved'}</td>
                  <td style={WRAP}>
                    <Link
                      href={`/failures?${new URLSearchParams({ namespace: delivery.namespace, name: delivery.name }).toString()}`}
                      className="mono"
                    >
                      {delivery.template}
                    </Link>{' '}
                    at <span className="mono">{delivery.step}</span>
                    <div className="muted small mono">{delivery.signature}</div>
                  </td>
                  <td className="num">{delivery.kind === 'failing' ? delivery.task_count : '—'}</td>
                  <td style={WRAP}>
                    <DeliveryState delivery={delivery} />{' '}
                    <span className="muted small">
                      {delivery.attempts} attempt{delivery.attempts === 1 ? '' : 's'}
                    </span>
                    <div>
                      <Outcome delivery={delivery} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
