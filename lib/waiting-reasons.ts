/**
 * Why a step that is not running waits (GET /tasks/{id} `waiting_reason.kind`; shared/API.md §5), client-safe.
 * The SQL that decides it is lib/reads/waiting-reason-sql.ts.
 */
export const WAITING_REASON_KINDS = ['dependencies', 'backoff', 'circuit_open', 'held', 'rate_limited'] as const;
export type WaitingReasonKind = (typeof WAITING_REASON_KINDS)[number];

/** Waits on a whole service, not on the step's own clock: Failures shows such steps at once, as their own group. */
export const SERVICE_WAIT_KINDS = ['circuit_open', 'held', 'rate_limited'] as const satisfies readonly WaitingReasonKind[];
export type ServiceWaitKind = (typeof SERVICE_WAIT_KINDS)[number];
