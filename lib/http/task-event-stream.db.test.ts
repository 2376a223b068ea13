import v8 from 'node:v8';
import vm from 'node:vm';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { retryTask } from '../actions/retry-task';
import type { ApiErrorBody, TaskDetail } from '../api/types';
import { createApiToken } from '../auth/create-api-token';
import { createFailedSignups, saveSignupTemplate } from '../testing/failure-fixtures';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';
import { REAUTHENTICATE_EVERY_MS, setStreamReauthenticationIntervalForTests } from './task-event-stream';

const testRuntime = registerRouteTestRuntime();

/** A full garbage collection, as a long-lived server eventually runs one. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

type EventReader = { next(timeoutMs?: number): Promise<{ event: string; data: string } | undefined>; comments: string[] };

function readEvents(response: Response): EventReader {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const comments: string[] = [];
  return {
    comments,
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => !line.startsWith(':') || (comments.push(line), false))
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]),
          );
          if (fields.event) {
            return { event: fields.event, data: fields.data as string };
          }
          continue;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new Error('no event in time');
        }
        const chunk = await Promise.race([reader.read(), new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), remaining))]);
        if (chunk === 'late') {
          throw new Error('no event in time');
        }
        if (chunk.done) {
          return undefined;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
  };
}

describeEachDatabase('task event stream', (suite) => {
  it('sends the task at once and again when it changes, over one shared LISTEN, and lets go when the client leaves', async () => {
    let listens = 0;
    const counted: Database = {
      ...suite.database,
      listen: (channel, onNotify) => {
        listens += 1;
        return suite.database.listen(channel, onNotify);
      },
    };
    await testRuntime.start(counted);
    await saveSignupTemplate(suite.database);
    const [taskId] = await createFailedSignups(suite.database, ['live@example.com'], testRuntime.orchestrators);
    const route = listRouteFiles().find((entry) => entry.path === '/api/v1/tasks/{taskId}/events')!;
    const { GET } = await loadRouteHandlers(route.file);

    const first = new AbortController();
    const second = new AbortController();
    const response = await callHandler(GET!, 'GET', route.path, { params: { taskId: String(taskId) }, signal: first.signal });
    const other = await callHandler(GET!, 'GET', route.path, { params: { taskId: String(taskId) }, signal: second.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toMatch(/no-transform/);
    expect(listens).toBe(1);

    const events = readEvents(response);
    const otherEvents = readEvents(other);
    const initial = await events.next();
    expect(initial?.event).toBe('task');
    expect((JSON.parse(initial!.data) as TaskDetail).status).toBe('error');
    expect((await otherEvents.next())?.event).toBe('task');

    await retryTask(suite.database.db, { taskId: taskId!, actor: 'ops' });
    const changed = JSON.parse((await events.next())!.data) as TaskDetail;
    expect(changed.status).toBe('in_progress');
    expect(changed.steps.find((step) => step.name === 'billing')?.status).toBe('ready');
    expect((JSON.parse((await otherEvents.next())!.data) as TaskDetail).status).toBe('in_progress');

    // The route's Request is unreachable once it returned; after a collection, the client going
    // away must still close the stream (undici follows the caller's signal only while the Request lives).
    collectGarbage();
    first.abort();
    expect(await events.next()).toBeUndefined();
    second.abort();
    expect(await otherEvents.next()).toBeUndefined();

    const missing = await callHandler(GET!, 'GET', route.path, { params: { taskId: '999999' } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('sends a change made after its first read but before it listened, without waiting for its 2 s check', async () => {
    const changesWhileSubscribing: (() => Promise<unknown>)[] = [];
    const racing: Database = {
      ...suite.database,
      listen: async (channel, onNotify) => {
        for (const change of changesWhileSubscribing.splice(0)) {
          await change();
        }
        return suite.database.listen(channel, onNotify);
      },
    };
    await testRuntime.start(racing);
    await saveSignupTemplate(suite.database);
    const [taskId] = await createFailedSignups(suite.database, ['race@example.com'], testRuntime.orchestrators);
    const route = listRouteFiles().find((entry) => entry.path === '/api/v1/tasks/{taskId}/events')!;
    const { GET } = await loadRouteHandlers(route.file);
    changesWhileSubscribing.push(() => retryTask(suite.database.db, { taskId: taskId!, actor: 'ops' }));

    const aborted = new AbortController();
    const events = readEvents(await callHandler(GET!, 'GET', route.path, { params: { taskId: String(taskId) }, signal: aborted.signal }));
    expect((JSON.parse((await events.next())!.data) as TaskDetail).status).toBe('error');
    // Well under the stream's 2 s check, which is what would otherwise find it (or not: see the stream).
    expect((JSON.parse((await events.next(1000))!.data) as TaskDetail).status).toBe('in_progress');
    aborted.abort();
  });
});

const ADMIN_TOKEN = 'event-stream-admin-token-0123456789abcdef';
/** The streams below re-check their caller this often (the route's own interval is REAUTHENTICATE_EVERY_MS). */
const TEST_REAUTHENTICATE_MS = 100;

async function loadRoute(path: string) {
  const file = listRouteFiles().find((entry) => entry.path === path)!;
  return { path, handlers: await loadRouteHandlers(file.file) };
}

/** The stream's last words: `event: unauthorized` in the API's error shape, and then its end. */
async function expectEndedUnauthorized(events: EventReader) {
  const last = await events.next(3000);
  expect(last?.event).toBe('unauthorized');
  expect((JSON.parse(last!.data) as ApiErrorBody).error).toEqual({
    code: 'unauthorized',
    message: expect.stringMatching(/revoked|ended/) as string,
    details: [],
  });
  expect(await events.next(1000)).toBeUndefined();
}

describeEachDatabase('task event stream and its caller', (suite) => {
  beforeAll(() => setStreamReauthenticationIntervalForTests(TEST_REAUTHENTICATE_MS));
  afterAll(() => setStreamReauthenticationIntervalForTests(undefined));

  async function openTask() {
    await saveSignupTemplate(suite.database);
    const [taskId] = await createFailedSignups(suite.database, [`caller-${Date.now()}@example.com`], testRuntime.orchestrators);
    const events = await loadRoute('/api/v1/tasks/{taskId}/events');
    const aborted = new AbortController();
    const open = async (headers: Record<string, string>) => {
      const response = await callHandler(events.handlers.GET!, 'GET', events.path, {
        params: { taskId: String(taskId) },
        headers,
        signal: aborted.signal,
      });
      expect(response.status).toBe(200);
      const reader = readEvents(response);
      expect((await reader.next())?.event).toBe('task');
      return reader;
    };
    return { taskId: taskId!, open, close: () => aborted.abort() };
  }

  async function signIn(token: string): Promise<string> {
    const session = await loadRoute('/api/v1/session');
    const response = await callHandler(session.handlers.POST!, 'POST', session.path, { body: { token } });
    expect(response.status).toBe(200);
    return `switchyard_session=${/switchyard_session=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')![1]}`;
  }

  it('checks its caller every 5 s or more often', () => {
    expect(REAUTHENTICATE_EVERY_MS).toBeLessThanOrEqual(5000);
  });

  it('keeps sending to a token that holds, and ends once the token is revoked', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const viewer = await createApiToken(suite.database.db, { name: 'stream-viewer', role: 'viewer', actor: 'test' });
    const task = await openTask();
    try {
      const bearer = await task.open({ authorization: `Bearer ${viewer.secret}` });
      const cookie = await signIn(viewer.secret);
      const session = await task.open({ cookie });

      // Many re-checks later, both still get the task's changes.
      await new Promise((resolve) => setTimeout(resolve, TEST_REAUTHENTICATE_MS * 5));
      await retryTask(suite.database.db, { taskId: task.taskId, actor: 'ops' });
      expect((JSON.parse((await bearer.next())!.data) as TaskDetail).status).toBe('in_progress');
      expect((JSON.parse((await session.next())!.data) as TaskDetail).status).toBe('in_progress');

      const tokens = await loadRoute('/api/v1/tokens/{tokenId}');
      const revoked = await callHandler(tokens.handlers.DELETE!, 'DELETE', tokens.path, {
        params: { tokenId: viewer.token.id },
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(revoked.status).toBe(200);
      await expectEndedUnauthorized(bearer);
      await expectEndedUnauthorized(session);
    } finally {
      task.close();
    }
  });

  it("ends a session's stream when the session is signed out or expires", async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const operator = await createApiToken(suite.database.db, { name: 'stream-operator', role: 'operator', actor: 'test' });
    const task = await openTask();
    try {
      const signedOutCookie = await signIn(operator.secret);
      const expiringCookie = await signIn(operator.secret);
      const signedOut = await task.open({ cookie: signedOutCookie });
      const expiring = await task.open({ cookie: expiringCookie });

      const session = await loadRoute('/api/v1/session');
      expect((await callHandler(session.handlers.DELETE!, 'DELETE', session.path, { headers: { cookie: signedOutCookie } })).status).toBe(200);
      await expectEndedUnauthorized(signedOut);

      await new Promise((resolve) => setTimeout(resolve, TEST_REAUTHENTICATE_MS * 3));
      await suite.database.db.execute(sql`update sessions set expires_at = now() - interval '1 second'`);
      await expectEndedUnauthorized(expiring);
    } finally {
      task.close();
    }
  });

  it('ends the streams of ADMIN_TOKEN and of its sessions when ADMIN_TOKEN changes', async () => {
    const runtime = await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const task = await openTask();
    try {
      const bearer = await task.open({ authorization: `Bearer ${ADMIN_TOKEN}` });
      const session = await task.open({ cookie: await signIn(ADMIN_TOKEN) });
      await new Promise((resolve) => setTimeout(resolve, TEST_REAUTHENTICATE_MS * 3));
      runtime.env.adminToken = 'event-stream-new-admin-token-0123456789abcdef';
      await expectEndedUnauthorized(bearer);
      await expectEndedUnauthorized(session);
    } finally {
      task.close();
    }
  });
});
