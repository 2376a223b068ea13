import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './pages/test';

/**
 * In local mode there is no token to steal: any page the operator's browser opens could drive the
 * dashboard if the server let it. These pages are served by the spec itself on another port of this
 * machine, once as http://127.0.0.1:<port> (the same site as the dashboard, another origin) and once
 * as http://localhost:<port> (another site).
 */
const DASHBOARD = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3210)}`;

let otherSite: http.Server;
let otherPort = 0;

test.beforeAll(async () => {
  otherSite = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://other.site');
    const taskId = url.searchParams.get('task') ?? '';
    const cancelUrl = `${DASHBOARD}/api/v1/tasks/${encodeURIComponent(taskId)}/cancel`;
    const pages: Record<string, string> = {
      // What a page can send without asking the server first: no-cors fetches and a form post.
      '/cancel': `<!doctype html><title>elsewhere</title>
        <form id="form" method="POST" action="${cancelUrl}" target="sink"><input name="reason" value="from elsewhere"></form>
        <iframe name="sink" id="sink"></iframe>
        <script>
          window.sent = Promise.allSettled([
            fetch(${JSON.stringify(cancelUrl)}, { method: 'POST', mode: 'no-cors' }),
            fetch(${JSON.stringify(cancelUrl)}, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{"reason":"from elsewhere"}' }),
          ]).then(() => 'sent');
          document.getElementById('form').submit();
        </script>`,
      '/frame': `<!doctype html><title>elsewhere</title>
        <iframe id="dashboard" src="${DASHBOARD}/tasks/${encodeURIComponent(taskId)}" width="1200" height="700"></iframe>
        <script>
          window.framed = new Promise((resolve) => document.getElementById('dashboard').addEventListener('load', () => resolve('loaded')));
        </script>`,
    };
    const page = pages[url.pathname];
    response.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page ?? 'not here');
  });
  await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
  otherPort = (otherSite.address() as AddressInfo).port;
});

test.afterAll(async () => {
  otherSite.closeAllConnections();
  await new Promise((resolve) => otherSite.close(resolve));
});

test('a page on another origin cannot cancel a task in local mode; the task stays as it was', async ({ page, api }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 11, run: `elsewhere${Date.now().toString(36)}` });
  const before = await api.waitForTaskStatus(task.id, 'error');

  for (const origin of [`http://127.0.0.1:${otherPort}`, `http://localhost:${otherPort}`]) {
    const formPosted = page.waitForResponse(
      (response) =>
        response.url().endsWith(`/tasks/${task.id}/cancel`) && response.request().method() === 'POST' && response.frame() !== page.mainFrame(),
    );
    await page.goto(`${origin}/cancel?task=${task.id}`);
    expect(await page.evaluate(() => (window as unknown as { sent: Promise<string> }).sent)).toBe('sent');
    expect((await formPosted).status(), origin).toBe(403);
  }

  const after = await api.getTask(task.id);
  expect(after.status).toBe('error');
  expect(after.steps.map((step) => [step.name, step.status])).toEqual(before.steps.map((step) => [step.name, step.status]));
});

test('a page on another origin cannot show the dashboard in a frame', async ({ page, api }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 12, run: `framed${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  const framedResponse = page.waitForResponse((response) => response.url() === `${DASHBOARD}/tasks/${task.id}`);

  await page.goto(`http://localhost:${otherPort}/frame?task=${task.id}`);
  const response = await framedResponse;
  expect(response.headers()['x-frame-options']).toBe('DENY');
  expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  // The frame's load event fires for the error page the browser shows instead; the dashboard's
  // navigation is in its server-rendered HTML, so it would be there by then had it been shown.
  expect(await page.evaluate(() => (window as unknown as { framed: Promise<string> }).framed)).toBe('loaded');
  const frame = page.frameLocator('#dashboard');
  await expect(frame.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await expect(frame.getByRole('button', { name: /Cancel task/ })).toHaveCount(0);
});
