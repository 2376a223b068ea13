import { expect, test } from '@playwright/test';
import { E2E_ADMIN_TOKEN } from '../../playwright.config';
import { BASE_URL, createFailedTask, expectError, getTask, newRun } from './http-api';

/**
 * Who may reach the server at all (proxy.ts, lib/auth/request-perimeter.ts), on the real servers: the
 * main one in local mode, the auth one with ADMIN_TOKEN.
 */
const AUTH_URL = `http://127.0.0.1:${Number(process.env.E2E_AUTH_PORT ?? 3212)}`;
const PORT = new URL(BASE_URL).port;

test('in local mode a Host that is not a loopback name is refused: JSON under /api, plain text for pages and files', async ({ request }) => {
  for (const host of [`rebound.example:${PORT}`, 'rebound.example', `192.0.2.1:${PORT}`, `127.0.0.1.rebound.example:${PORT}`]) {
    const api = await request.get('/api/v1/tasks', { headers: { Host: host } });
    const error = await expectError(api, 403, 'forbidden');
    expect(error.message).toContain(`Host "${host}" is not served`);
    for (const path of ['/tasks', '/', '/favicon.ico']) {
      const page = await request.get(path, { headers: { Host: host } });
      expect(page.status(), `${path} as ${host}`).toBe(403);
      expect(page.headers()['content-type']).toMatch(/^text\/plain/);
      expect(await page.text()).toContain('is not served: in local mode Switchyard answers only to localhost, 127.0.0.1, [::1]');
    }
  }
  for (const host of [`localhost:${PORT}`, `127.0.0.1:${PORT}`, `[::1]:${PORT}`, '127.0.0.2', 'LOCALHOST']) {
    expect((await request.get('/api/v1/tasks?limit=1', { headers: { Host: host } })).status(), host).toBe(200);
    expect((await request.get('/tasks', { headers: { Host: host } })).status(), host).toBe(200);
  }
});

test('in local mode a change sent by another site’s page is refused and changes nothing; curl’s goes through', async ({ request }) => {
  const task = await createFailedTask(request, newRun(), 21);
  const fromElsewhere: Record<string, string>[] = [
    { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
    { 'Sec-Fetch-Site': 'same-site', Origin: 'http://127.0.0.1:4444' },
    { Origin: 'http://localhost:4444' },
  ];
  for (const headers of fromElsewhere) {
    await expectError(await request.post(`/api/v1/tasks/${task.id}/cancel`, { headers, data: {} }), 403, 'forbidden');
  }
  expect((await getTask(request, task.id)).status).toBe('error');
  expect((await request.post(`/api/v1/tasks/${task.id}/cancel`, { data: {} })).status()).toBe(202);
  expect((await getTask(request, task.id)).status).toBe('cancelled');
});

test('every page, route and file says it may not be framed', async ({ request }) => {
  const home = await request.get('/');
  const script = /src="(\/_next\/static\/[^"]+\.js)"/.exec(await home.text())?.[1];
  expect(script).toBeTruthy();
  for (const path of [
    '/',
    '/tasks',
    '/failures',
    '/templates',
    '/services',
    '/sign-in',
    '/no-such-page',
    '/api/v1/health',
    '/api/v1/tasks?limit=1',
    '/api/v1/no-such-route',
    script!,
  ]) {
    const response = await request.get(path);
    expect(response.headers()['x-frame-options'], path).toBe('DENY');
    expect(response.headers()['content-security-policy'], path).toBe("frame-ancestors 'none'");
  }
});

test('with ADMIN_TOKEN any Host is served, but a change from another site’s page is refused even with the token', async ({ request }) => {
  const admin = { Authorization: `Bearer ${E2E_ADMIN_TOKEN}` };
  expect((await request.get(`${AUTH_URL}/api/v1/tasks?limit=1`, { headers: { ...admin, Host: 'switchyard.internal' } })).status()).toBe(200);
  const tokens = await request.post(`${AUTH_URL}/api/v1/tokens`, {
    headers: { ...admin, 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
    data: { name: `elsewhere-${Date.now().toString(36)}`, role: 'admin' },
  });
  const error = await expectError(tokens, 403, 'forbidden');
  expect(error.message).toContain("another site's page");
  expect(await (await request.get(`${AUTH_URL}/api/v1/tokens`, { headers: admin })).text()).not.toContain('elsewhere-');
});
