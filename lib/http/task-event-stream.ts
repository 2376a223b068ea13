import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import type { ApiErrorBody, TaskDetail } from '../api/types';
import type { Logger } from '../logger';
import { getTaskDetailOrThrow } from '../reads/get-task-detail';
import { subscribeTaskChanges } from '../reads/subscribe-task-changes';

const HEARTBEAT_MS = 15_000;
/** A cheap look at the task's last change, in case a change came without a notification. */
const CHECK_INTERVAL_MS = 2_000;
/** Bursts of notifications (a step finishing releases several) are sent as one event. */
const COALESCE_MS = 50;
/** How often an open stream asks whether its caller's token or session still holds. */
export const REAUTHENTICATE_EVERY_MS = 5_000;

const INTERVAL_OVERRIDE_KEY = Symbol.for('switchyard.streamReauthenticateEveryMs');
type IntervalHolder = { [INTERVAL_OVERRIDE_KEY]?: number };

/** Test seam: streams opened through the route re-check their caller this often; undefined restores the default. */
export function setStreamReauthenticationIntervalForTests(everyMs: number | undefined): void {
  (globalThis as IntervalHolder)[INTERVAL_OVERRIDE_KEY] = everyMs;
}

function streamReauthenticationInterval(): number {
  return (globalThis as IntervalHolder)[INTERVAL_OVERRIDE_KEY] ?? REAUTHENTICATE_EVERY_MS;
}

async function readLastChange(database: Database, taskId: number): Promise<string> {
  const [row] = await queryRows<{ changed: string | null }>(
    database.db,
    sql`select greatest(t.updated_at, (select max(s.updated_at) from steps s where s.task_id = t.id))::text as changed
        from tasks t where t.id = ${taskId}`,
  );
  return row?.changed ?? '';
}

/** The body of the answer: what is written goes to the client until close(), which runs every cleanup once. */
type EventSink = {
  stream: ReadableStream<Uint8Array>;
  write(text: string): void;
  close(): void;
  isClosed(): boolean;
  /** Runs at close, in the order given. */
  onClose(cleanup: () => void): void;
};

function openEventSink(): EventSink {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  const cleanups: (() => void)[] = [];
  const sink: EventSink = {
    stream: new ReadableStream<Uint8Array>({
      start(streamController) {
        controller = streamController;
      },
      cancel() {
        sink.close();
      },
    }),
    write(text) {
      if (closed || !controller) {
        return;
      }
      try {
        controller.enqueue(encoder.encode(text));
      } catch {
        sink.close();
      }
    },
    close() {
      if (closed) {
        return;
      }
      closed = true;
      for (const cleanup of cleanups.splice(0)) {
        cleanup();
      }
      try {
        controller?.close();
      } catch {
        // already closed by the client going away
      }
    },
    isClosed: () => closed,
    onClose(cleanup) {
      cleanups.push(cleanup);
    },
  };
  return sink;
}

/** Sends the task as `event: task` when it differs from the last one sent. */
type TaskRefresher = {
  send(task: TaskDetail): void;
  /** Reads and sends the task shortly; a burst of calls is one read, and a call during a read is another read after it. */
  schedule(): void;
  /** Schedules a read when the task's last change is not the one last read. */
  checkLastChange(): Promise<void>;
};

function createTaskRefresher(
  sink: EventSink,
  { database, taskId, log, lastChange: lastChangeRead }: { database: Database; taskId: number; log: Logger; lastChange: string },
): TaskRefresher {
  let lastSent = '';
  let lastChange = lastChangeRead;
  let eventNumber = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let refreshing: Promise<void> | undefined;
  let refreshAgain = false;
  sink.onClose(() => clearTimeout(timer));

  const refresher: TaskRefresher = {
    send(task) {
      const data = JSON.stringify(task);
      if (data === lastSent) {
        return;
      }
      lastSent = data;
      eventNumber += 1;
      sink.write(`id: ${eventNumber}\nevent: task\ndata: ${data}\n\n`);
    },
    schedule() {
      if (sink.isClosed() || timer) {
        return;
      }
      timer = setTimeout(() => {
        timer = undefined;
        if (refreshing) {
          refreshAgain = true;
          return;
        }
        refreshing = refresh().finally(() => {
          refreshing = undefined;
          if (refreshAgain) {
            refreshAgain = false;
            refresher.schedule();
          }
        });
      }, COALESCE_MS);
    },
    async checkLastChange() {
      if ((await readLastChange(database, taskId)) !== lastChange) {
        refresher.schedule();
      }
    },
  };
  async function refresh() {
    try {
      lastChange = await readLastChange(database, taskId);
      refresher.send(await getTaskDetailOrThrow(database.db, taskId));
    } catch (error) {
      if (!sink.isClosed()) {
        log.warn({ err: error, task_id: String(taskId) }, 'could not refresh a task event stream');
      }
    }
  }
  return refresher;
}

/** Refreshes on every notification about the task, and on a change the periodic check finds without one. */
async function followTaskChanges(
  sink: EventSink,
  refresher: TaskRefresher,
  { database, taskId }: { database: Database; taskId: number },
): Promise<void> {
  const unsubscribe = await subscribeTaskChanges(database, taskId, () => refresher.schedule());
  sink.onClose(unsubscribe);
  // A change committed between the first read and the subscription sent no notification this stream
  // heard, and the check below can miss it (its time can precede the last change read): read once more.
  refresher.schedule();
  const check = setInterval(() => {
    refresher.checkLastChange().catch(() => {});
  }, CHECK_INTERVAL_MS);
  sink.onClose(() => clearInterval(check));
}

function sendHeartbeats(sink: EventSink): void {
  const heartbeat = setInterval(() => sink.write(': heartbeat\n\n'), HEARTBEAT_MS);
  sink.onClose(() => clearInterval(heartbeat));
}

/** Every `everyMs`, asks whether the caller still holds; ends the stream with an event when not, or when it cannot tell. */
function reauthenticatePeriodically(
  sink: EventSink,
  { isStillAuthenticated, everyMs, log, taskId }: { isStillAuthenticated: () => Promise<boolean>; everyMs: number; log: Logger; taskId: number },
): void {
  let reauthenticating = false;
  const endWithError = (code: 'unauthorized' | 'internal', message: string) => {
    const body: ApiErrorBody = { error: { code, message, details: [] } };
    // Not 'error': EventSource gives that name to its own connection errors.
    sink.write(`event: ${code === 'unauthorized' ? 'unauthorized' : 'unavailable'}\ndata: ${JSON.stringify(body)}\n\n`);
    sink.close();
  };
  const reauthenticate = setInterval(() => {
    if (reauthenticating || sink.isClosed()) {
      return;
    }
    reauthenticating = true;
    isStillAuthenticated()
      .then((stillAuthenticated) => {
        if (!stillAuthenticated) {
          endWithError('unauthorized', 'Your token was revoked or your session ended; sign in again');
        }
      })
      .catch((error: unknown) => {
        // Closed rather than kept open on trust: the client reconnects and is checked afresh.
        log.warn({ err: error, task_id: String(taskId) }, 'could not re-check the caller of a task event stream');
        endWithError('internal', 'Could not re-check your token; reconnect');
      })
      .finally(() => {
        reauthenticating = false;
      });
  }, everyMs);
  sink.onClose(() => clearInterval(reauthenticate));
}

/** Closes the stream when the client goes away. Its cleanup is what holds `request` until the stream closes. */
function closeWhenAborted(sink: EventSink, request: Request): void {
  const close = () => sink.close();
  if (request.signal.aborted) {
    close();
  } else {
    request.signal.addEventListener('abort', close, { once: true });
    sink.onClose(() => request.signal.removeEventListener('abort', close));
  }
}

/**
 * The Server-Sent Events answer of GET /tasks/{id}/events: `event: task` with the whole TaskDetail at
 * once and then whenever the task changes, and a comment line every 15 s so that proxies keep the
 * connection. Everything is released when the client goes away (the request's signal aborts, or the
 * body is cancelled). Throws NotFoundError before any byte is sent.
 *
 * A stream outlives the request that authenticated it, so every `reauthenticateEveryMs` it asks
 * `isStillAuthenticated`: once the token is revoked or the session ended or expired, it sends
 * `event: unauthorized` (the API's error shape) and ends; when the check cannot be made it ends too
 * (`event: unavailable`). EventSource then reconnects and gets what a new request would, a 401 for instance.
 *
 * The stream holds on to `request` until it closes: a Request's signal follows the caller's only while
 * the Request lives (undici keeps its own AbortController on the Request and watches the caller's signal
 * through a weak reference), so once the route returned, a garbage collection would otherwise leave a
 * client that went away with a stream that never closes.
 */
export async function createTaskEventStream({
  database,
  taskId,
  request,
  log,
  isStillAuthenticated,
  reauthenticateEveryMs = streamReauthenticationInterval(),
}: {
  database: Database;
  taskId: number;
  request: Request;
  log: Logger;
  isStillAuthenticated: () => Promise<boolean>;
  reauthenticateEveryMs?: number;
}): Promise<Response> {
  const first = await getTaskDetailOrThrow(database.db, taskId);
  const lastChange = await readLastChange(database, taskId);
  const sink = openEventSink();
  const refresher = createTaskRefresher(sink, { database, taskId, log, lastChange });
  sink.write('retry: 3000\n\n');
  refresher.send(first);

  await followTaskChanges(sink, refresher, { database, taskId });
  sendHeartbeats(sink);
  reauthenticatePeriodically(sink, { isStillAuthenticated, everyMs: reauthenticateEveryMs, log, taskId });
  closeWhenAborted(sink, request);

  return new Response(sink.stream, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform also keeps Next.js's compression from buffering the stream.
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    },
  });
}
