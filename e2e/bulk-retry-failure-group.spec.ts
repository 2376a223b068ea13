import { uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

test.afterEach(async ({ api }) => {
  await api.resetDemoServices();
});

test('twenty registrations failing at billing form one group, and one bulk retry with a dry run completes them all', async ({
  page,
  api,
  failuresPage,
}) => {
  test.setTimeout(120_000);
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'reject');
  const batch = `bulk${Date.now().toString(36)}`;
  const tasks = [];
  for (let index = 0; index < 20; index += 1) {
    tasks.push(await api.createRegistration(uniqueEmail(batch, index), { name: `Bulk ${index}` }));
  }
  await expect.poll(() => api.countTasks({ q: batch, status: 'error' }), { timeout: 40_000 }).toBe(20);

  await failuresPage.goto();
  const group = failuresPage.group({ template: 'blog_examples/user_registration', step: 'setup_billing_profile', error: 'rejects every request' });
  await expect(group).toHaveCount(1);
  await expect(group.getByTestId('failure-count')).toHaveText('20');

  await api.setServiceMode('billing', 'up');
  await group.getByRole('button', { name: 'Retry all…' }).click();
  const dialog = page.getByTestId('bulk-retry-dialog');
  await expect(dialog.getByTestId('bulk-retry-preview')).toBeVisible();
  await expect(dialog.getByTestId('bulk-retry-task-count')).toHaveText('20 tasks');
  await expect(dialog.getByTestId('bulk-retry-steps')).toContainText('setup_billing_profile');
  // The dry run changed nothing.
  expect(await api.countTasks({ q: batch, status: 'error' })).toBe(20);

  await dialog.getByRole('button', { name: 'Retry 20 tasks' }).click();
  await expect(dialog.getByTestId('bulk-retry-done')).toContainText('Retried 20 tasks');
  await dialog.getByRole('button', { name: 'Done' }).click();

  await expect.poll(() => api.countTasks({ q: batch, status: 'complete' }), { timeout: 60_000 }).toBe(20);
  await expect(group).toHaveCount(0, { timeout: 15_000 });

  await page.goto(`/tasks?q=${batch}&status=complete`);
  await expect(page.getByTestId('task-table').locator('tbody tr')).toHaveCount(20);
});
