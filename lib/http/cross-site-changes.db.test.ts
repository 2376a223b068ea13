import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import type { ApiErrorBody } from '../api/types';
import { createApiToken } from '../auth/create-api-token';
import { createFailedSignups, saveSignupTemplate, snapshotState } from '../testing/failure-fixtures';
import { callHandler, HTTP_METHODS, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';

/**
 * A page of another site or origin may make the browser send any request here, and the browser adds
 * what it has (a cookie) by itself. Every change it sends is refused, in local mode and with every
 * kind of token; a client that is not a browser page (curl) sends neither header and is served.
 */
const ADMIN_TOKEN = 'cross-site-admin-token-0123456789abcdef';
const testRuntime = registerRouteTestRuntime();
const CHANGE_METHODS = HTTP_METHODS.filter((method) => !['GET', 'HEAD', 'OPTIONS'].includes(method));
const FROM_ELSEWHERE: Record<string, string>[] = [
  { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
  // Another port of the same host is the same site, not the same origin.
  { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:4444' },
  { origin: 'http://localhost:4444' },
];

async function cancelRoute() {
  const file = listRouteFiles().find((entry) => entry.path === '/api/v1/tasks/{taskId}/cancel')!;
  return (await loadRouteHandlers(file.file)).POST!;
}

describeEachDatabase('changes sent by other sites', (suite) => {
  it('are refused on every route that changes anything, with ADMIN_TOKEN itself, and nothing is written', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(suite.database);
    const [taskId] = await createFailedSignups(suite.database, ['elsewhere@example.com'], testRuntime.orchestrators);
    const before = await snapshotState(suite.database);
    let checked = 0;
    for (const route of listRouteFiles()) {
      const handlers = await loadRouteHandlers(route.file);
      for (const method of CHANGE_METHODS) {
        const handler = handlers[method];
        if (!handler) {
          continue;
        }
        const params = {
          taskId: String(taskId),
          step: 'billing',
          name: 'user',
          tokenId: '1',
          namespace: 'blog_examples',
          version: '1.0.0',
          action: 'retry',
        };
        const response = await callHandler(handler, method, route.path, {
          params,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
          body: { reason: 'from elsewhere', ids: [String(taskId)], token: ADMIN_TOKEN, name: 'x', role: 'admin', mode: 'down' },
        });
        expect(response.status, `${method} ${route.path}`).toBe(403);
        expect(((await response.json()) as ApiErrorBody).error.message).toMatch(/another site's page \(Sec-Fetch-Site: cross-site\)/);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(15);
    expect(await snapshotState(suite.database)).toBe(before);
  });

  it('are refused with a named token and in local mode; curl and the dashboard itself still cancel', async () => {
    const cancel = await cancelRoute();
    await saveSignupTemplate(suite.database);
    const taskIds = (await createFailedSignups(suite.database, ['a@example.com', 'b@example.com', 'c@example.com'], testRuntime.orchestrators)).map(
      String,
    );
    const cancelTask = (taskId: string, headers: Record<string, string>) =>
      callHandler(cancel, 'POST', '/api/v1/tasks/{taskId}/cancel', { params: { taskId }, headers, body: { reason: 'test' } });

    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const operator = await createApiToken(suite.database.db, { name: 'night-operator', role: 'operator', actor: 'test' });
    const before = await snapshotState(suite.database);
    for (const sent of FROM_ELSEWHERE) {
      expect((await cancelTask(taskIds[0]!, { authorization: `Bearer ${operator.secret}`, ...sent })).status, JSON.stringify(sent)).toBe(403);
    }
    expect(await snapshotState(suite.database)).toBe(before);
    expect((await cancelTask(taskIds[0]!, { authorization: `Bearer ${operator.secret}` })).status).toBe(202);

    await testRuntime.start(suite.database);
    const afterFirst = await snapshotState(suite.database);
    for (const sent of FROM_ELSEWHERE) {
      expect((await cancelTask(taskIds[1]!, sent)).status, JSON.stringify(sent)).toBe(403);
    }
    expect(await snapshotState(suite.database)).toBe(afterFirst);
    expect((await cancelTask(taskIds[1]!, {})).status).toBe(202);
    expect((await cancelTask(taskIds[2]!, { 'sec-fetch-site': 'same-origin', origin: 'http://127.0.0.1:3210' })).status).toBe(202);
  });
});
