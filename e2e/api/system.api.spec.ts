import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createTask, NAMESPACE, newRun, waitForStatus } from './http-api';

test('health answers without a token and names the database and orchestrator', async ({ request }) => {
  const response = await request.get('/api/v1/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok', database: 'pglite', orchestrator: 'on' });
  expect(response.headers()['x-request-id']).toBeTruthy();
});

test('metrics show tasks by template and status, queues, and count attempts by step and outcome', async ({ request }) => {
  const scrape = async () => {
    const response = await request.get('/api/v1/metrics');
    expect(response.status(), await response.text()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^text\/plain/);
    return response.text();
  };
  await scrape();
  const task = await createTask(request, 'api_diamond', { customer: { email: `${newRun()}@example.com` } });
  await waitForStatus(request, task.id, 'complete');
  await expect
    .poll(
      async () => {
        const text = await scrape();
        return /switchyard_step_attempts_total\{namespace="e2e_api",name="api_diamond",step="join",outcome="complete"\} [1-9]/.test(text);
      },
      { timeout: 15_000, intervals: [1000] },
    )
    .toBe(true);
  const text = await scrape();
  expect(text).toMatch(new RegExp(`switchyard_tasks\\{namespace="${NAMESPACE}",name="api_diamond",status="complete"\\} [1-9]`));
  expect(text).toMatch(
    /switchyard_step_attempt_duration_seconds_bucket\{le="0.5",namespace="e2e_api",name="api_diamond",step="left",outcome="complete"\} [1-9]/,
  );
  expect(text).toMatch(/switchyard_steps\{status="ready"\} \d+/);
  expect(text).toMatch(/switchyard_oldest_ready_step_age_seconds \d/);
  expect(text).toMatch(/switchyard_http_requests_total\{method="POST",route="\/api\/v1\/tasks",status="201"\} [1-9]/);
});

test('the OpenAPI document is 3.1 and lists every operation', async ({ request }) => {
  const response = await request.get('/api/v1/openapi.json');
  expect(response.status()).toBe(200);
  const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
  expect(document.openapi).toBe('3.1.0');
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(operations).toEqual(
    expect.arrayContaining(['POST /api/v1/tasks', 'GET /api/v1/tasks/{taskId}/events', 'POST /api/v1/tasks/bulk/retry', 'GET /api/v1/failures']),
  );
  expect(operations.sort()).toEqual(listRouteOperations().sort());
});

/** `METHOD /api/v1/...` for every exported handler of every app/api/v1 route file. */
function listRouteOperations(directory = path.resolve('app/api/v1')): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      return listRouteOperations(full);
    }
    if (entry.name !== 'route.ts') {
      return [];
    }
    const route = ['/api/v1', ...path.relative(path.resolve('app/api/v1'), directory).split(path.sep).filter(Boolean)]
      .join('/')
      .replace(/\[([^\]]+)\]/g, '{$1}');
    const source = fs.readFileSync(full, 'utf8');
    return [...source.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map(([, method]) => `${method} ${route}`);
  });
}

test('in local mode the session is local, with every right, and signing in changes nothing', async ({ request }) => {
  expect(await (await request.get('/api/v1/session')).json()).toEqual({ mode: 'local', actor: 'local', role: 'admin' });
  const signIn = await request.post('/api/v1/session', { data: { token: 'anything' } });
  expect(signIn.status()).toBe(200);
  expect(signIn.headers()['set-cookie']).toBeUndefined();
  const signOut = await request.delete('/api/v1/session');
  expect(signOut.status()).toBe(200);
});
