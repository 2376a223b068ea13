import type { Page } from '@playwright/test';
import type { Session } from '../lib/api/types';
import { expect, test } from './pages/test';

/**
 * The e2e server runs in local mode (no ADMIN_TOKEN), where every caller is admin and tokens are not
 * checked, so a viewer's session is given to the page by answering GET /api/v1/session.
 */
async function signInAsViewer(page: Page) {
  const viewer: Session = { mode: 'token', actor: 'night-viewer', role: 'viewer' };
  await page.route('**/api/v1/session', (route) => (route.request().method() === 'GET' ? route.fulfill({ json: viewer }) : route.continue()));
}

test('a viewer sees the repair actions disabled, with the reason and what to ask for', async ({ page, api, taskPage, tasksPage, failuresPage }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 7, run: `viewer${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  await signInAsViewer(page);

  await taskPage.goto(task.id, 'charge');
  const retryStep = taskPage.panel.getByRole('button', { name: 'Retry step' });
  await expect(retryStep).toBeDisabled();
  await expect(taskPage.panel.getByRole('button', { name: 'Resolve with results…' })).toBeDisabled();
  await expect(taskPage.panel.getByRole('button', { name: 'Cancel task…' })).toBeDisabled();
  await expect(taskPage.panel.getByTestId('permission-note')).toHaveText(
    "Your role (viewer) can't retry, resolve, skip, cancel or edit; ask for an operator token.",
  );
  // Still reachable from the keyboard, described by the reason, and Enter sends nothing.
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') {
      posts.push(request.url());
    }
  });
  await retryStep.focus();
  await expect(retryStep).toBeFocused();
  await expect(retryStep).toHaveAccessibleDescription("Your role (viewer) can't retry, resolve, skip, cancel or edit; ask for an operator token.");
  await page.keyboard.press('Enter');
  await retryStep.click({ force: true });
  await expect(taskPage.panel.getByTestId('resolve-form')).toHaveCount(0);
  expect(posts).toEqual([]);
  await expect(page.getByRole('button', { name: 'Retry failed steps' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Retry failed steps' })).toHaveAttribute(
    'title',
    "Your role (viewer) can't retry steps; ask for an operator token.",
  );

  await tasksPage.goto('?namespace=e2e_api&name=api_always_fails&status=error');
  await expect(page.getByRole('button', { name: 'Retry all matching…' })).toBeDisabled();
  await expect(page.getByTestId('permission-note')).toHaveText(
    "Your role (viewer) can't retry, compensate or cancel tasks; ask for an operator token.",
  );

  await failuresPage.goto();
  const group = failuresPage.group({ template: 'e2e_api/api_always_fails', step: 'charge' }).first();
  await expect(group.getByRole('button', { name: 'Retry all…' })).toBeDisabled();
});

test('in local mode the same actions stay enabled', async ({ api, taskPage }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 8, run: `local${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  await taskPage.goto(task.id, 'charge');
  await expect(taskPage.panel.getByRole('button', { name: 'Retry step' })).toBeEnabled();
  await expect(taskPage.panel.getByTestId('permission-note')).toHaveCount(0);
});
