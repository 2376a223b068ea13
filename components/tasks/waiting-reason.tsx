'use client';

import type { WaitingReason } from '../../lib/api/types';
import { Countdown } from '../time/countdown';

/** What a step waits on, in words (without the time left): "billing circuit open", "waiting to retry". */
function waitingReasonHeadline(reason: WaitingReason): string {
  switch (reason.kind) {
    case 'circuit_open':
      return `${reason.service ?? 'its service'} circuit open`;
    case 'held':
      return `${reason.service ?? 'its service'} held by an operator`;
    case 'rate_limited':
      return `${reason.service ?? 'its service'} rate limited`;
    case 'backoff':
      return 'retry backoff';
    case 'dependencies':
      return 'the steps it depends on';
  }
}

/** "next probe" for a circuit, "next attempt" otherwise. */
function untilLabel(reason: WaitingReason): string {
  return reason.kind === 'circuit_open' ? 'next probe' : 'next attempt';
}

/**
 * Why a step waits, as the task list, the step panel and the graph node say it: "waiting: billing circuit
 * open, next probe in 12 s" (lib/reads/waiting-reason-sql.ts decides the reason).
 */
export function WaitingReasonText({ reason, step, compact = false }: { reason: WaitingReason; step?: string; compact?: boolean }) {
  return (
    <span className={`waiting-reason small${compact ? ' compact' : ''}`} data-waiting-kind={reason.kind} data-testid="waiting-reason">
      {compact ? '' : 'waiting: '}
      {step ? <span className="mono">{step}</span> : null}
      {step ? ' — ' : null}
      {waitingReasonHeadline(reason)}
      {reason.until ? (
        <>
          , {untilLabel(reason)} <Countdown iso={reason.until} />
        </>
      ) : null}
    </span>
  );
}
