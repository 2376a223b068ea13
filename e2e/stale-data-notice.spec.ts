import type { Route } from '@playwright/test';
import { expect, test } from './pages/test';

const serverDown = (route: Route) =>
  route.fulfill({
    status: 503,
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'unavailable', message: 'The server is restarting', details: [] } }),
  });

test('when the task page cannot refresh, it says how old its data is and that it is not connected, then recovers', async ({
  page,
  api,
  taskPage,
}) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 1, run: `stale${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  // No pushed updates: the page polls every second, as it does whenever the event stream is down.
  await page.route(`**/api/v1/tasks/${task.id}/events`, (route) => route.abort());
  await taskPage.goto(task.id);
  const indicator = page.getByTestId('live-indicator');
  await expect(indicator).toHaveText('polling every second');
  const notice = page.getByTestId('stale-data-notice').filter({ hasText: 'refresh the task —' });
  await expect(page.getByTestId('stale-data-notice')).toHaveCount(0);

  const isTaskDetail = (url: URL) => url.pathname === `/api/v1/tasks/${task.id}`;
  await page.route(isTaskDetail, serverDown);
  // The first failed refresh shows at once; the query keeps retrying behind it.
  await expect(notice).toBeVisible({ timeout: 15_000 });
  await expect(notice).toContainText('Couldn’t refresh the task — showing data from');
  await expect(notice).toContainText('Retrying…');
  await expect(notice).toContainText('The server is restarting');
  await expect(indicator).toHaveText('not connected · retrying');
  await expect(indicator).toHaveAttribute('data-connection', 'lost');
  // The data stays on screen: the notice does not block the page.
  await taskPage.expectStepStatus('charge', 'error');

  await page.unroute(isTaskDetail, serverDown);
  await expect(page.getByTestId('stale-data-notice')).toHaveCount(0, { timeout: 15_000 });
  await expect(indicator).toHaveText('polling every second');
});

test('the task list keeps its rows and says it could not refresh them', async ({ page, tasksPage }) => {
  await tasksPage.goto();
  await expect(tasksPage.rows.first()).toBeVisible();
  const isTaskList = (url: URL) => url.pathname === '/api/v1/tasks';
  await page.route(isTaskList, serverDown);
  // The list polls every 5 s.
  const notice = page.getByTestId('stale-data-notice');
  await expect(notice).toContainText('Couldn’t refresh the task list', { timeout: 20_000 });
  await expect(tasksPage.rows.first()).toBeVisible();
  await notice.getByRole('button', { name: 'Retry now' }).click();
  await expect(notice).toBeVisible();
  await page.unroute(isTaskList, serverDown);
  await notice.getByRole('button', { name: 'Retry now' }).click();
  await expect(notice).toHaveCount(0);
});

test('the overview keeps its figures and says it could not refresh them', async ({ page }) => {
  await page.goto('/');
  const failed = page.getByTestId('stat-failed');
  await expect(failed).toBeVisible();
  const isOverview = (url: URL) => url.pathname === '/api/v1/overview';
  await page.route(isOverview, serverDown);
  // The overview polls every 5 s.
  const notice = page.getByTestId('stale-data-notice');
  await expect(notice).toContainText('Couldn’t refresh the overview — showing data from', { timeout: 20_000 });
  await expect(notice).toContainText('The server is restarting');
  await expect(failed).toBeVisible();
  await page.unroute(isOverview, serverDown);
  await notice.getByRole('button', { name: 'Retry now' }).click();
  await expect(notice).toHaveCount(0);
});
