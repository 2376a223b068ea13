import type { Db } from '../../db/client';
import {
  alertGroupId,
  claimAlertDeliveries,
  findLastFailingPayload,
  insertAlertDelivery,
  lockAlertGroups,
  pruneAlertTables,
  readAlertGroupFigures,
  readDatabaseNow,
  recordAlertDeliveryAttempt,
  takeAlertEvents,
  takeDueAlertRechecks,
  updateAlertGroup,
  type ClaimedAlertDelivery,
} from '../../db/queries/alerts';
import type { Logger } from '../logger';
import { failingAlertPayload, resolvedAlertPayload, type AlertPayload } from './alert-message';

/** Where and how often failure alerts go (ALERT_WEBHOOK_URL, ALERT_QUIET_SECONDS, PUBLIC_URL). */
type AlertSettings = {
  /** Unset: no alert is sent, and the alert events are dropped. */
  webhookUrl: string | undefined;
  quietSeconds: number;
  publicUrl: string;
};

export type AlertDeliveryOptions = AlertSettings & {
  db: Db;
  workerId: string;
  log: Logger;
  /** How often the outbox is read when nothing is happening. */
  pollIntervalMs?: number;
  /** How long a receiver may take to answer one POST. */
  timeoutMs?: number;
  /** A message being sent is taken over by another process after this (its sender died). */
  leaseSeconds?: number;
  /** The wait before the next try after `attempts` failed ones. */
  retryDelayMs?: (attempts: number) => number;
  /** A message not delivered this long after it was queued is given up. */
  giveUpAfterMs?: number;
  /** Alert events read in one transaction. */
  eventsPerCycle?: number;
};

const DEFAULT_EVENTS_PER_CYCLE = 500;
const DELIVERIES_PER_CYCLE = 10;
const PRUNE_EVERY_MS = 60_000;

/** 5 s, 10 s, 20 s … doubling up to 10 minutes, with up to a fifth more at random so that receivers coming back are not hit all at once. */
function defaultAlertRetryDelayMs(attempts: number): number {
  const base = Math.min(5000 * 2 ** Math.max(0, attempts - 1), 600_000);
  return Math.round(base * (1 + Math.random() / 5));
}

/** The receiver's scheme, host and port only: a webhook's path and query are its secret, and never logged or shown. */
export function describeReceiver(webhookUrl: string): string {
  return new URL(webhookUrl).origin;
}

/**
 * The orchestrator's alerts part. Triggers on failing_steps write an alert event in the transaction of
 * each change to a failure group in error (db/migrations); this part reads them on its own timer, never in
 * the way of the claim loop: it compares each group with what the receiver was last told (alert_groups,
 * locked, so two processes decide once), queues a "failing" message when a group appears (at most one per
 * group per `quietSeconds`) and a "resolved" one when it empties, and sends the queued messages, each
 * claimed under a lease with SKIP LOCKED so that one process sends it. A receiver that is down or slow is
 * retried with backoff; one that refuses a message (4xx) is not.
 */
export class AlertDelivery {
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<void> | undefined;
  private stopped = false;
  private lastPrunedAt = 0;
  private readonly abortController = new AbortController();

  constructor(private readonly options: AlertDeliveryOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** Stops reading; a POST in flight is aborted and its message left to be sent again. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abortController.abort();
    await this.cycle;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.cycle = this.runCycle().finally(() => {
        this.cycle = undefined;
        if (!this.stopped) {
          this.schedule(this.options.pollIntervalMs ?? 1000);
        }
      });
    }, delayMs);
  }

  private async runCycle(): Promise<void> {
    const { log } = this.options;
    try {
      if (Date.now() - this.lastPrunedAt >= PRUNE_EVERY_MS) {
        this.lastPrunedAt = Date.now();
        await pruneAlertTables(this.options.db, { dropUnreadEvents: !this.options.webhookUrl });
      }
      if (!this.options.webhookUrl) {
        return;
      }
      const eventsPerCycle = this.options.eventsPerCycle ?? DEFAULT_EVENTS_PER_CYCLE;
      while (!this.stopped && (await this.queueMessages(eventsPerCycle)) === eventsPerCycle) {
        // A backlog of events: keep reading before sending.
      }
      while (!this.stopped && (await this.sendDueMessages(this.options.webhookUrl)) === DELIVERIES_PER_CYCLE) {
        // More messages due: keep sending.
      }
    } catch (error) {
      log.error({ err: error }, 'alerts: reading or writing the outbox failed');
    }
  }

  /** Turns alert events (and groups whose quiet time ended) into messages. Returns how many events it took. */
  async queueMessages(eventsPerCycle: number): Promise<number> {
    const { db, quietSeconds, publicUrl } = this.options;
    return db.transaction(async (tx) => {
      const changed = await takeAlertEvents(tx, eventsPerCycle);
      const due = await takeDueAlertRechecks(tx, eventsPerCycle);
      const keys = [...new Map([...changed.groups, ...due].map((key) => [alertGroupId(key), key])).values()];
      if (keys.length === 0) {
        return 0;
      }
      const groups = await lockAlertGroups(tx, keys);
      // Read after the locks: a process that waited for one sees what the other wrote before it.
      const figures = await readAlertGroupFigures(tx, groups);
      const now = await readDatabaseNow(tx);
      for (const group of groups) {
        const current = figures.get(alertGroupId(group));
        if (current && group.notified !== 'failing') {
          const quietUntil = group.lastAlertedAt === null ? 0 : group.lastAlertedAt.getTime() + quietSeconds * 1000;
          if (quietUntil > now.getTime()) {
            // It failed again within the quiet time of its last alert: look again when that is over.
            await updateAlertGroup(tx, group, { recheckAt: new Date(quietUntil) });
          } else {
            await insertAlertDelivery(tx, { kind: 'failing', key: group, payload: failingAlertPayload(publicUrl, group, current) });
            await updateAlertGroup(tx, group, { notified: 'failing', alerted: true, recheckAt: null });
          }
        } else if (!current && group.notified === 'failing') {
          const failing = (await findLastFailingPayload(tx, group)) as Partial<AlertPayload> | undefined;
          await insertAlertDelivery(tx, { kind: 'resolved', key: group, payload: resolvedAlertPayload(publicUrl, group, failing) });
          await updateAlertGroup(tx, group, { notified: 'resolved', recheckAt: null });
        } else {
          await updateAlertGroup(tx, group, { recheckAt: null });
        }
      }
      return changed.taken;
    });
  }

  /** Sends the messages due, oldest first, one at a time. Returns how many it claimed. */
  async sendDueMessages(webhookUrl: string): Promise<number> {
    const { db, workerId } = this.options;
    const claimed = await claimAlertDeliveries(db, { limit: DELIVERIES_PER_CYCLE, workerId, leaseSeconds: this.options.leaseSeconds ?? 60 });
    for (const delivery of claimed) {
      if (this.stopped) {
        // Left to be sent again once its lease runs out (here after a restart, or by another process).
        await recordAlertDeliveryAttempt(db, {
          id: delivery.id,
          workerId,
          state: 'pending',
          responseStatus: null,
          error: 'not sent: the process stopped',
        });
        continue;
      }
      await this.send(webhookUrl, delivery);
    }
    return claimed.length;
  }

  private async send(webhookUrl: string, delivery: ClaimedAlertDelivery): Promise<void> {
    const { db, workerId, log } = this.options;
    const outcome = await postAlert(webhookUrl, delivery.payload, {
      timeoutMs: this.options.timeoutMs ?? 10_000,
      signal: this.abortController.signal,
    });
    const logFields = { delivery_id: delivery.id, kind: delivery.kind, attempt: delivery.attempts, receiver: describeReceiver(webhookUrl) };
    if (outcome.delivered) {
      await recordAlertDeliveryAttempt(db, { id: delivery.id, workerId, state: 'delivered', responseStatus: outcome.status, error: null });
      log.info({ ...logFields, http_status: outcome.status }, 'alert delivered');
      return;
    }
    const giveUpAt = delivery.createdAt.getTime() + (this.options.giveUpAfterMs ?? 24 * 3600_000);
    const retryAt = new Date(
      Date.now() + Math.max(outcome.retryAfterMs ?? 0, (this.options.retryDelayMs ?? defaultAlertRetryDelayMs)(delivery.attempts)),
    );
    const givesUp = !outcome.retryable || retryAt.getTime() > giveUpAt;
    await recordAlertDeliveryAttempt(db, {
      id: delivery.id,
      workerId,
      state: givesUp ? 'failed' : 'pending',
      responseStatus: outcome.status,
      error: outcome.error,
      ...(givesUp ? {} : { retryAt }),
    });
    log.warn(
      { ...logFields, http_status: outcome.status, error: outcome.error, ...(givesUp ? {} : { retry_at: retryAt.toISOString() }) },
      givesUp ? 'alert not delivered: given up' : 'alert not delivered: will retry',
    );
  }
}

type PostOutcome =
  { delivered: true; status: number } | { delivered: false; retryable: boolean; status: number | null; error: string; retryAfterMs?: number };

/** Longest Retry-After honoured from a receiver. */
const MAX_RETRY_AFTER_MS = 3600_000;

/**
 * POSTs one alert. Redirects are not followed (a webhook that moved must be set anew); the receiver's
 * answer body is read and dropped. Errors name what happened, never the URL.
 */
async function postAlert(
  webhookUrl: string,
  payload: unknown,
  { timeoutMs, signal }: { timeoutMs: number; signal: AbortSignal },
): Promise<PostOutcome> {
  try {
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Switchyard alerts' },
      body: JSON.stringify(payload),
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await response.body?.cancel();
    if (response.ok) {
      return { delivered: true, status: response.status };
    }
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    const retryAfterSeconds = Number(response.headers.get('retry-after'));
    return {
      delivered: false,
      retryable,
      status: response.status,
      error:
        response.status >= 300 && response.status < 400
          ? `the receiver answered HTTP ${response.status} (a redirect, not followed)`
          : `the receiver answered HTTP ${response.status}`,
      ...(Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0
        ? { retryAfterMs: Math.min(retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS) }
        : {}),
    };
  } catch (error) {
    return { delivered: false, retryable: true, status: null, error: describeSendError(error, timeoutMs, signal) };
  }
}

function describeSendError(error: unknown, timeoutMs: number, signal: AbortSignal): string {
  if (signal.aborted) {
    return 'not answered: the process stopped while sending';
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  }
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (code === 'ECONNREFUSED') {
    return 'connection refused (ECONNREFUSED)';
  }
  if (typeof code === 'string') {
    return `could not reach the receiver (${code})`;
  }
  return 'could not reach the receiver';
}
