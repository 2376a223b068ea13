import v8 from 'node:v8';
import vm from 'node:vm';
import { expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import type { TaskDetail } from '../api/types';
import { createFailedSignups, saveSignupTemplate } from '../orchestrator/failure-fixtures';
import { retryTask } from '../orchestrator/retry-task';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from './route-testing';

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
            return { event: fields.event as string, data: fields.data as string };
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
    const [taskId] = (await createFailedSignups(suite.database, ['live@example.com'], testRuntime.orchestrators)).map(String);
    const route = listRouteFiles().find((entry) => entry.path === '/api/v1/tasks/{taskId}/events')!;
    const { GET } = await loadRouteHandlers(route.file);

    const first = new AbortController();
    const second = new AbortController();
    const response = await callHandler(GET!, 'GET', route.path, { params: { taskId: taskId! }, signal: first.signal });
    const other = await callHandler(GET!, 'GET', route.path, { params: { taskId: taskId! }, signal: second.signal });
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
    const [taskId] = (await createFailedSignups(suite.database, ['race@example.com'], testRuntime.orchestrators)).map(String);
    const route = listRouteFiles().find((entry) => entry.path === '/api/v1/tasks/{taskId}/events')!;
    const { GET } = await loadRouteHandlers(route.file);
    changesWhileSubscribing.push(() => retryTask(suite.database.db, { taskId: taskId!, actor: 'ops' }));

    const aborted = new AbortController();
    const events = readEvents(await callHandler(GET!, 'GET', route.path, { params: { taskId: taskId! }, signal: aborted.signal }));
    expect((JSON.parse((await events.next())!.data) as TaskDetail).status).toBe('error');
    // Well under the stream's 2 s check, which is what would otherwise find it (or not: see the stream).
    expect((JSON.parse((await events.next(1000))!.data) as TaskDetail).status).toBe('in_progress');
    aborted.abort();
  });
});
