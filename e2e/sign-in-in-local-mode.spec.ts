import { expect, test } from './pages/test';

/**
 * The main e2e server runs in local mode. A tab sent to sign-in by a server that since restarted without
 * ADMIN_TOKEN (or a bookmarked sign-in page) goes on to the page it asked for, once; a second time at once it
 * offers the link instead, so no answer from the server can make it bounce for ever.
 */
test('in local mode the sign-in page goes on to the page asked for by itself, and never bounces back and forth', async ({ page }) => {
  await page.goto('/sign-in?next=%2Ffailures');
  await expect(page).toHaveURL(/\/failures$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Failures' })).toBeVisible();

  await page.goto('/sign-in?next=%2Ftasks');
  const form = page.getByTestId('sign-in-form');
  await expect(form).toHaveAttribute('data-view', 'local');
  await expect(form).toContainText('This server runs in local mode: no sign-in is needed.');
  await expect(form.getByLabel('Token')).toHaveCount(0);
  await form.getByRole('link', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/tasks$/);
  await expect(page.getByTestId('task-table')).toBeVisible();
});
