'use client';

import { fromTaskFilter, taskListHref } from '../../lib/api/task-filters';
import type { WaitingGroup } from '../../lib/api/types';
import { Link } from '../shell/link';
import { Countdown } from '../time/countdown';
import { RelativeTime } from '../time/relative-time';
import { PartialState } from './failure-group-card';

/** "04:31" (UTC), as the header says when a circuit opened or a hold began. */
function clockTime(iso: string): string {
  return new Date(iso).toISOString().slice(11, 16);
}

/** "waiting on billing: circuit open since 04:31, next probe in 12 s" — the wait in one line. */
function WaitHeadline({ group }: { group: WaitingGroup }) {
  if (group.kind === 'held' && group.hold) {
    return (
      <>
        held since {clockTime(group.hold.held_at)} UTC by <span className="mono">{group.hold.held_by}</span>: {group.hold.reason}
      </>
    );
  }
  if (group.kind === 'circuit_open' && group.circuit) {
    const next = group.circuit.next_probe_at;
    return (
      <>
        circuit {group.circuit.state === 'half_open' ? 'half-open (a probe call is on its way)' : 'open'}
        {group.circuit.opened_at ? ` since ${clockTime(group.circuit.opened_at)} UTC` : ''}
        {next ? (
          <>
            , next probe <Countdown iso={next} />
          </>
        ) : null}
      </>
    );
  }
  return (
    <>
      rate limited (the service said too many requests)
      {group.until ? (
        <>
          , next attempt <Countdown iso={group.until} />
        </>
      ) : null}
    </>
  );
}

/**
 * Steps waiting on their service (its circuit open, a hold, a rate limit), shown at once, whether or not
 * they are stuck yet: how many, since when, what the service's circuit or hold says, and what their tasks
 * already did (the same partial-state strip as a failure group).
 */
export function WaitingGroupCard({ group, stuckAfterSeconds }: { group: WaitingGroup; stuckAfterSeconds: number }) {
  return (
    <article
      className="card failure-group stuck waiting-group"
      data-testid="waiting-group"
      tabIndex={-1}
      data-keyboard-row
      data-row-key={`waiting/${group.namespace}/${group.name}/${group.step}/${group.service}/${group.kind}`}
      data-service={group.service}
      data-kind={group.kind}
      data-count={group.count}
    >
      <div className="failure-head">
        <div className="failure-count tone-warning">
          <span data-testid="waiting-count">{group.count}</span>
          <small>task{group.count === 1 ? '' : 's'}</small>
        </div>
        <div className="failure-title">
          <div>
            <strong data-testid="waiting-headline">
              waiting on <span className="mono">{group.service}</span>: <WaitHeadline group={group} />
            </strong>
          </div>
          <div>
            <span className="template-name">
              {group.namespace}/{group.name}
            </span>{' '}
            <span className="muted">at step</span> <strong className="mono">{group.step}</strong>
          </div>
          <div className="failure-meta">
            <span>
              waiting since <RelativeTime iso={group.waiting_since} />
            </span>
            <span data-testid="waiting-stuck" title={`waiting for longer than ${stuckAfterSeconds} s (STUCK_AFTER_SECONDS)`}>
              {group.stuck === 0 ? 'none stuck yet' : `${group.stuck} stuck (over ${Math.round(stuckAfterSeconds / 60)} min)`}
            </span>
          </div>
        </div>
        <div className="action-row">
          <Link className="button" href={taskListHref(fromTaskFilter(group.filter))} data-row-open>
            Open its tasks
          </Link>
          <Link className="button" href="/services">
            Services
          </Link>
        </div>
      </div>
      <PartialState group={group} here="waiting here" hereTone="warning" />
    </article>
  );
}
