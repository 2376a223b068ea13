import { expect, request as playwrightRequest, test } from '@playwright/test';
import { E2E_ADMIN_TOKEN } from '../../playwright.config';

/**
 * The task list and the task page render their first data on the server (app/tasks/page.tsx,
 * app/tasks/[taskId]/page.tsx). With ADMIN_TOKEN set (this auth server) their HTML holds that data only
 * for a request the API would answer: signed in with the session cookie. Signed out, or sending a
 * bearer token to a page, the HTML holds none of it (the browser then asks the API, and is sent to sign in).
 */
test('the HTML of the task list and of a task holds their data only for someone signed in', async ({ baseURL }) => {
  const email = `server-render-${Date.now()}@example.com`;
  const admin = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${E2E_ADMIN_TOKEN}` } });
  const created = await admin.post('/api/v1/tasks', { data: { namespace: 'e2e_dashboard', name: 'many_tasks', context: { item: { email } } } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  const signedOut = await playwrightRequest.newContext({ baseURL });
  for (const path of ['/tasks', `/tasks/${id}`, '/tasks?namespace=e2e_dashboard&name=many_tasks']) {
    const html = await (await signedOut.get(path)).text();
    expect(html, `${path} signed out`).not.toContain(email);
    expect(html, `${path} signed out`).not.toContain(`data-task-id="${id}"`);
  }
  // A page is no place to try tokens: a bearer token, even a valid one, renders no data into a page.
  const bearerHtml = await (await admin.get('/tasks')).text();
  expect(bearerHtml).not.toContain(email);

  const signedIn = await playwrightRequest.newContext({ baseURL });
  expect((await signedIn.post('/api/v1/session', { data: { token: E2E_ADMIN_TOKEN } })).ok()).toBe(true);
  expect(await (await signedIn.get('/tasks')).text()).toContain(`data-task-id="${id}"`);
  expect(await (await signedIn.get(`/tasks/${id}`)).text()).toContain(email);

  await Promise.all([admin.dispose(), signedOut.dispose(), signedIn.dispose()]);
});
