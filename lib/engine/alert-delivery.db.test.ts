import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { bulkRetryTasks } from '../actions/bulk-retry-tasks';
import { createTask } from '../actions/create-task';
import { defaultHandlerRegistry } from '../handlers/index';
import { createLogger } from '../logger';
import { createFailedSignups, saveSignupTemplate } from '../testing/failure-fixtures';
import { waitFor, waitForTaskStatus } from '../testing/task-testing';
import { AlertDelivery, type AlertDeliveryOptions } from './alert-delivery';
import type { AlertPayload } from './alert-message';
import { startOrchestrator, type Orchestrator } from './runner';

const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const SECRET_PATH = '/services/T000/B000/secret-part-of-the-hook';

/**
 * A webhook receiver on a local port: records each POST; answers 200, or 503 while `down`, or nothing
 * at all while closed (connection refused); `delayMs` makes it slow.
 */
async function startReceiver() {
  const received: AlertPayload[] = [];
  const paths: string[] = [];
  const state = { down: false, status: 200, delayMs: 0 };
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      setTimeout(() => {
        if (response.destroyed) {
          // The sender gave up waiting (it timed out): this one does not count as received.
          return;
        }
        if (state.down) {
          response.writeHead(503).end('down');
          return;
        }
        if (state.status === 200) {
          received.push(JSON.parse(body) as AlertPayload);
          paths.push(request.url ?? '');
        }
        response.writeHead(state.status, { 'content-type': 'text/plain' }).end('ok');
      }, state.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    paths,
    state,
    url: `http://127.0.0.1:${port}${SECRET_PATH}`,
    /** Stops listening: the next POSTs find the port closed. */
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    reopen: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    dispose: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        if (server.listening) {
          server.close(() => resolve());
        } else {
          resolve();
        }
      }),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

async function withReceiver(): Promise<Receiver> {
  const receiver = await startReceiver();
  cleanups.push(() => receiver.dispose());
  return receiver;
}

function startDelivery(database: Database, receiver: Receiver, options: Partial<AlertDeliveryOptions> = {}): AlertDelivery {
  const delivery = new AlertDelivery({
    db: database.db,
    workerId: `alerts-test-${Math.random().toString(36).slice(2, 8)}`,
    log: createLogger({ level: 'silent' }),
    webhookUrl: receiver.url,
    quietSeconds: 600,
    publicUrl: 'https://switchyard.example.com',
    pollIntervalMs: 20,
    retryDelayMs: () => 100,
    ...options,
  });
  delivery.start();
  cleanups.push(() => delivery.stop());
  return delivery;
}

async function startAlertingOrchestrator(database: Database, receiver: Receiver): Promise<Orchestrator> {
  const orchestrator = await startOrchestrator({
    database,
    handlers,
    pollIntervalMs: 50,
    shutdownGraceMs: 100,
    alerts: { webhookUrl: receiver.url, quietSeconds: 600, publicUrl: 'https://switchyard.example.com', pollIntervalMs: 20 },
  });
  cleanups.push(() => orchestrator.stop());
  return orchestrator;
}

type DeliveryRow = { id: string; kind: string; state: string; attempts: number; response_status: number | null; last_error: string | null };
const readDeliveries = (database: Database) =>
  queryRows<DeliveryRow>(database.db, sql`select id::text, kind, state, attempts, response_status, last_error from alert_deliveries order by id`);

/** Everything queued has been read and sent (or given up): nothing is left for the alert delivery to do. */
async function waitUntilSettled(database: Database) {
  await waitFor(
    async () => {
      const [row] = await queryRows<{ left: number }>(
        database.db,
        sql`select ((select count(*) from alert_events) + (select count(*) from alert_deliveries where state in ('pending','sending')))::int as left`,
      );
      return row?.left === 0;
    },
    { what: 'the alert outbox to be empty' },
  );
  // One more poll or two: anything still to come would have come.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

/** Gives the billing step of these tasks another error: they move to another failure group. */
async function changeBillingError(database: Database, taskIds: number[], httpStatus: number) {
  await database.db.execute(
    sql`update steps set last_error = last_error || jsonb_build_object('http_status', ${httpStatus}::int)
        where name = 'billing' and task_id in (${sql.join(
          taskIds.map((id) => sql`${id}`),
          sql`, `,
        )})`,
  );
}

describeEachDatabase('alerts', (suite) => {
  beforeEach(async () => {
    // describeEachDatabase empties the task tables; the alert tables are emptied here.
    await suite.database.db.execute(sql`truncate alert_events, alert_groups, alert_deliveries restart identity`);
  });

  it('20 identical failures send 1 POST; a second signature a second; a group that empties one "resolved"', async () => {
    const { database } = suite;
    const receiver = await withReceiver();
    await saveSignupTemplate(database);
    await startAlertingOrchestrator(database, receiver);
    const ids: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      const { task } = await createTask(database.db, {
        namespace: 'tests',
        name: 'signup',
        context: { user_info: { email: `u${index}@example.com` } },
      });
      ids.push(task.id);
    }
    for (const id of ids) {
      await waitForTaskStatus(database.db, id, ['error']);
    }
    await waitUntilSettled(database);
    expect(receiver.received).toHaveLength(1);
    const [first] = receiver.received;
    expect(first).toMatchObject({
      kind: 'failing',
      template: 'tests/signup',
      namespace: 'tests',
      name: 'signup',
      step: 'billing',
      step_status: 'error',
      signature: 'test_permanent | card declined for order <n>',
      url: 'https://switchyard.example.com/failures?namespace=tests&name=signup',
    });
    expect(first!.error_signature).toMatch(/^[0-9a-f]{32}$/);
    expect(first!.task_count).toBeGreaterThanOrEqual(1);
    expect(first!.task_count).toBeLessThanOrEqual(20);
    expect(Date.parse(first!.first_failure_at!)).toBeLessThanOrEqual(Date.parse(first!.last_failure_at!));
    const tasksUrl = new URL(first!.tasks_url);
    expect(tasksUrl.origin + tasksUrl.pathname).toBe('https://switchyard.example.com/tasks');
    expect(Object.fromEntries(tasksUrl.searchParams)).toEqual({
      namespace: 'tests',
      name: 'signup',
      status: 'error',
      step: 'billing',
      step_status: 'error',
      error_signature: first!.error_signature,
    });
    // Slack's text: the signature's <n> escaped, a <url|label> link.
    expect(first!.text).toContain('tests/signup');
    expect(first!.text).toContain('card declined for order &lt;n&gt;');
    expect(first!.text).toContain('<https://switchyard.example.com/failures?namespace=tests&name=signup|Open the failure group>');
    expect(receiver.paths).toEqual([SECRET_PATH]);

    // Two tasks now fail with another signature: one more POST, for the new group only.
    await changeBillingError(database, ids.slice(0, 2), 402);
    await waitUntilSettled(database);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]).toMatchObject({
      kind: 'failing',
      step: 'billing',
      task_count: 2,
      signature: 'test_permanent | HTTP 402 | card declined for order <n>',
    });

    // Retrying them empties that group ("resolved"); they fail again with the first signature, whose group never emptied: no message.
    const retried = await bulkRetryTasks(database.db, { ids: ids.slice(0, 2), dryRun: false, actor: 'ops' });
    expect(retried.tasks).toBe(2);
    for (const id of ids.slice(0, 2)) {
      await waitForTaskStatus(database.db, id, ['error']);
    }
    await waitUntilSettled(database);
    expect(receiver.received.map((payload) => [payload.kind, payload.signature])).toEqual([
      ['failing', 'test_permanent | card declined for order <n>'],
      ['failing', 'test_permanent | HTTP 402 | card declined for order <n>'],
      ['resolved', 'test_permanent | HTTP 402 | card declined for order <n>'],
    ]);
    expect(receiver.received[2]!.text).toMatch(/^:white_check_mark: Resolved in tests\/signup/);
    const deliveries = await readDeliveries(database);
    expect(deliveries.map((row) => [row.kind, row.state, row.attempts, row.response_status])).toEqual([
      ['failing', 'delivered', 1, 200],
      ['failing', 'delivered', 1, 200],
      ['resolved', 'delivered', 1, 200],
    ]);
  });

  it('a group that fails again within the quiet time is alerted once that time is over, if it still fails', async () => {
    const { database } = suite;
    const receiver = await withReceiver();
    await saveSignupTemplate(database);
    const ids = await createFailedSignups(database, ['a@example.com'], []);
    startDelivery(database, receiver, { quietSeconds: 4 });
    await waitUntilSettled(database);
    expect(receiver.received.map((payload) => payload.kind)).toEqual(['failing']);

    // Retried (the group empties: resolved), then failing again at once: within the quiet time, no message yet.
    await bulkRetryTasks(database.db, { ids, dryRun: false, actor: 'ops' });
    await waitFor(async () => receiver.received.length === 2, { what: 'the resolved message' });
    const orchestrator = await startOrchestrator({ database, handlers, pollIntervalMs: 50, shutdownGraceMs: 100 });
    cleanups.push(() => orchestrator.stop());
    await waitForTaskStatus(database.db, ids[0]!, ['error']);
    await waitFor(
      async () => {
        const [group] = await queryRows<{ notified: string; recheck_at: string | null }>(
          database.db,
          sql`select notified, recheck_at from alert_groups`,
        );
        return group?.notified === 'resolved' && group.recheck_at !== null;
      },
      { what: 'the group to wait for the end of its quiet time' },
    );
    expect(receiver.received).toHaveLength(2);
    const failedAgainAt = Date.now();
    await waitFor(async () => receiver.received.length === 3, { what: 'the failing message after the quiet time', timeoutMs: 10_000 });
    const lastAlert = await queryRows<{ since_first: number }>(
      database.db,
      sql`select extract(epoch from (max(created_at) - min(created_at)))::float as since_first from alert_deliveries where kind = 'failing'`,
    );
    expect(receiver.received.map((payload) => payload.kind)).toEqual(['failing', 'resolved', 'failing']);
    // Two "failing" messages of one group are at least ALERT_QUIET_SECONDS apart. The quiet time is reckoned
    // from the group's last alert as a JavaScript date (whole milliseconds) while the delivery rows hold
    // microseconds (CI saw 3.999844 s): allow 10 ms; a message sent inside the quiet time would be seconds early.
    expect(lastAlert[0]!.since_first).toBeGreaterThanOrEqual(4 - 0.01);
    expect(Date.now() - failedAgainAt).toBeLessThan(5000);
  });

  it('the receiver down for a while: retried with backoff, delivered once after it returns; a slow one times out', async () => {
    const { database } = suite;
    const receiver = await withReceiver();
    await receiver.close();
    await saveSignupTemplate(database);
    await createFailedSignups(database, ['a@example.com', 'b@example.com'], []);
    startDelivery(database, receiver, { timeoutMs: 300 });

    const refused = await waitFor(
      async () => {
        const [row] = await readDeliveries(database);
        return row && row.attempts >= 3 && row.state === 'pending' ? row : undefined;
      },
      { what: 'a few refused attempts' },
    );
    expect(refused).toMatchObject({ kind: 'failing', state: 'pending', response_status: null, last_error: 'connection refused (ECONNREFUSED)' });

    // Back, but answering 503, then too slow: both retried.
    await receiver.reopen();
    receiver.state.down = true;
    await waitFor(async () => (await readDeliveries(database))[0]?.response_status === 503, { what: 'a 503' });
    receiver.state.down = false;
    receiver.state.delayMs = 1000;
    await waitFor(async () => (await readDeliveries(database))[0]?.last_error === 'no answer within 0.3 s', { what: 'a timeout' });
    receiver.state.delayMs = 0;

    await waitUntilSettled(database);
    const deliveries = await readDeliveries(database);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ kind: 'failing', state: 'delivered', response_status: 200, last_error: null });
    expect(deliveries[0]!.attempts).toBeGreaterThanOrEqual(5);
    expect(receiver.received.map((payload) => [payload.kind, payload.task_count])).toEqual([['failing', 2]]);
  });

  it('a receiver that refuses a message (4xx) is not asked again; the webhook URL is never logged', async () => {
    const { database } = suite;
    const receiver = await withReceiver();
    receiver.state.status = 404;
    await saveSignupTemplate(database);
    await createFailedSignups(database, ['a@example.com'], []);
    const lines: string[] = [];
    startDelivery(database, receiver, { log: createLogger({ level: 'debug' }, { write: (line: string) => lines.push(line) }) });
    await waitUntilSettled(database);
    expect(await readDeliveries(database)).toEqual([
      expect.objectContaining({ kind: 'failing', state: 'failed', attempts: 1, response_status: 404, last_error: 'the receiver answered HTTP 404' }),
    ]);
    expect(lines.join('\n')).toContain('alert not delivered: given up');
    expect(lines.join('\n')).not.toContain('secret-part');
  });

  it('with no webhook, alert events are dropped after a minute and nothing is sent', async () => {
    const { database } = suite;
    const receiver = await withReceiver();
    await saveSignupTemplate(database);
    await createFailedSignups(database, ['a@example.com'], []);
    await database.db.execute(sql`update alert_events set created_at = now() - interval '2 minutes'`);
    startDelivery(database, receiver, { webhookUrl: undefined });
    await waitFor(async () => (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from alert_events`))[0]?.n === 0, {
      what: 'the events to be dropped',
    });
    expect(await readDeliveries(database)).toEqual([]);
    expect(receiver.received).toEqual([]);
  });

  it('two processes on one PostgreSQL: every message still sent once', async ({ skip }) => {
    const { database, kind } = suite;
    if (kind !== 'postgres') {
      skip('PGlite has one connection: two processes are PostgreSQL only');
    }
    const receiver = await withReceiver();
    receiver.state.delayMs = 100;
    await saveSignupTemplate(database);
    const ids = await createFailedSignups(
      database,
      Array.from({ length: 12 }, (_, index) => `p${index}@example.com`),
      [],
    );
    // Six groups (four signatures of two tasks each, plus one of four) all at once.
    for (const [index, status] of [401, 402, 403, 404].entries()) {
      await changeBillingError(database, ids.slice(index * 2, index * 2 + 2), status);
    }
    const other = await openDatabase({ url: database.url, maxConnections: 4 });
    cleanups.push(() => other.close());
    // One event per transaction: the two processes take events of the same groups at the same time.
    startDelivery(database, receiver, { pollIntervalMs: 5, eventsPerCycle: 1 });
    startDelivery(other, receiver, { pollIntervalMs: 5, eventsPerCycle: 1 });
    await waitUntilSettled(database);
    const signatures = receiver.received.map((payload) => `${payload.kind} ${payload.signature}`).sort();
    expect(signatures).toEqual([
      'failing test_permanent | HTTP 401 | card declined for order <n>',
      'failing test_permanent | HTTP 402 | card declined for order <n>',
      'failing test_permanent | HTTP 403 | card declined for order <n>',
      'failing test_permanent | HTTP 404 | card declined for order <n>',
      'failing test_permanent | card declined for order <n>',
    ]);

    // Both processes race on the same changes: every group empties and comes back a few times over.
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(ids.map((id) => changeBillingError(database, [id], 410 + round)));
    }
    await waitUntilSettled(database);
    const counts = new Map<string, number>();
    for (const payload of receiver.received) {
      const key = `${payload.kind} ${payload.signature}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // Each group said "failing" once (quiet time 600 s) and, once empty, "resolved" once.
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(counts.get('failing test_permanent | HTTP 412 | card declined for order <n>')).toBe(1);
    expect(counts.get('resolved test_permanent | HTTP 401 | card declined for order <n>')).toBe(1);
    expect(counts.has('resolved test_permanent | HTTP 412 | card declined for order <n>')).toBe(false);
    expect((await readDeliveries(database)).every((row) => row.state === 'delivered' && row.attempts === 1)).toBe(true);
  });
});
