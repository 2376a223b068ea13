'use client';

import { useBulkActionProgress } from '../../lib/api/bulk-actions';
import { taskListHref } from '../../lib/api/task-filters';
import { ErrorMessage } from '../feedback/error-state';
import { Link } from '../shell/link';
import { Countdown } from '../time/countdown';

/**
 * After a bulk action: a link to exactly its tasks, how many are done, failed again or still waiting
 * (polled while any wait), and a warning for each service whose open circuit or hold keeps them waiting.
 */
export function BulkActionProgressView({ bulkActionId }: { bulkActionId: string }) {
  const progress = useBulkActionProgress(bulkActionId);
  const data = progress.data;
  return (
    <div className="bulk-progress" data-testid="bulk-progress" data-bulk-action={bulkActionId}>
      <p>
        <Link href={taskListHref({ bulk_action: bulkActionId })} data-testid="bulk-progress-link">
          Open the {data ? `${data.tasks} ` : ''}tasks of this retry
        </Link>{' '}
        <span className="muted small">(a link you can share)</span>
      </p>
      {progress.isPending ? <p role="status">Reading their progress…</p> : null}
      {progress.isError && !data ? <ErrorMessage error={progress.error} /> : null}
      {data ? (
        <>
          <ul className="bulk-progress-counts" aria-live="polite" aria-label="Progress of the retried tasks">
            <li data-count="done">
              <strong className="tone-success">{data.done}</strong> done
            </li>
            <li data-count="failed">
              <strong className={data.failed > 0 ? 'tone-danger' : undefined}>{data.failed}</strong> failed again
            </li>
            <li data-count="waiting">
              <strong>{data.waiting}</strong> still waiting
            </li>
            {data.other > 0 ? (
              <li data-count="other">
                <strong>{data.other}</strong> cancelled or compensated since
              </li>
            ) : null}
          </ul>
          <div className="progress" title={`${data.done} of ${data.tasks} done`}>
            <span className="progress-bar">
              <span style={{ width: `${data.tasks ? (data.done / data.tasks) * 100 : 0}%` }} />
            </span>
          </div>
          {data.blocked_services.map((service) => (
            <p key={service.service} className="warning-text" role="alert" data-testid="bulk-progress-blocked" data-service={service.service}>
              {service.held ? (
                <>
                  <strong>{service.service}</strong> is held{service.hold_reason ? ` (${service.hold_reason})` : ''}: {service.waiting_steps} step
                  {service.waiting_steps === 1 ? '' : 's'} of these tasks wait until it is released.
                </>
              ) : (
                <>
                  The circuit of <strong>{service.service}</strong> is {service.circuit === 'half_open' ? 'half open' : 'open'}:{' '}
                  {service.waiting_steps} step{service.waiting_steps === 1 ? '' : 's'} of these tasks wait
                  {service.next_probe_at ? (
                    <>
                      {' '}
                      for its next probe (<Countdown iso={service.next_probe_at} />)
                    </>
                  ) : null}
                  , so retrying now only queues them.
                </>
              )}{' '}
              <Link href="/services">Services</Link>
            </p>
          ))}
        </>
      ) : null}
    </div>
  );
}
