import { expect, test } from '@playwright/test';
import { E2E_ADMIN_TOKEN } from '../../playwright.config';

/**
 * A tab opened while the server ran in local mode, then the server restarted with ADMIN_TOKEN (this auth
 * server). The tab's first session read stands for the one it made before the restart ("local mode"); every
 * read after it reaches the server as it is now. The sign-in page used to believe the old answer, said
 * "local mode: no sign-in needed. Continue", and Continue led to a 401 and back, in a loop.
 */
test('a tab from before a restart with ADMIN_TOKEN lands on sign-in with the token form, not "local mode: Continue", and after signing in stays on its page', async ({
  page,
}) => {
  let answeredAsBefore = false;
  await page.route('**/api/v1/session', async (route) => {
    if (route.request().method() === 'GET' && !answeredAsBefore) {
      answeredAsBefore = true;
      await route.fulfill({ json: { mode: 'local', actor: 'local', role: 'admin' } });
      return;
    }
    await route.continue();
  });

  await page.goto('/tasks?status=error');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Ftasks%3Fstatus%3Derror$/);
  expect(answeredAsBefore).toBe(true);
  const form = page.getByTestId('sign-in-form');
  await expect(form).toHaveAttribute('data-view', 'sign_in');
  await expect(form.getByText('Paste an API token.')).toBeVisible();
  await expect(form.getByText('local mode')).toHaveCount(0);
  await expect(form.getByRole('link', { name: 'Continue' })).toHaveCount(0);

  await form.getByLabel('Token').fill(E2E_ADMIN_TOKEN);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/tasks\?status=error$/);
  await expect(page.getByTestId('empty-state').or(page.getByTestId('task-table'))).toBeVisible();
  // It stays: no 401 sends it back.
  await page.waitForTimeout(1500);
  await expect(page).toHaveURL(/\/tasks\?status=error$/);
  await expect(page.getByTestId('local-mode-banner')).toHaveCount(0);
});
