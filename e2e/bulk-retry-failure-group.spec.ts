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
  await api.cancelFailedTasks('blog_examples', 'user_registration');
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
  // The dialog follows the retried tasks as they run, and links to exactly them.
  const progress = dialog.getByTestId('bulk-progress');
  await expect(progress.locator('[data-count="done"] strong')).toHaveText('20', { timeout: 60_000 });
  await expect(progress.locator('[data-count="failed"] strong')).toHaveText('0');
  await expect(progress.locator('[data-count="waiting"] strong')).toHaveText('0');
  const link = progress.getByTestId('bulk-progress-link');
  await expect(link).toHaveAttribute('href', /^\/tasks\?bulk_action=[0-9]+$/);
  const bulkTasks = (await link.getAttribute('href')) ?? '';
  await dialog.getByRole('button', { name: 'Done' }).click();

  await expect.poll(() => api.countTasks({ q: batch, status: 'complete' }), { timeout: 60_000 }).toBe(20);
  await expect(group).toHaveCount(0, { timeout: 15_000 });

  await page.goto(`/tasks?q=${batch}&status=complete`);
  await expect(page.getByTestId('task-table').locator('tbody tr')).toHaveCount(20);
  await page.goto(bulkTasks);
  await expect(page.getByTestId('task-table').locator('tbody tr')).toHaveCount(20);
});

test('after a bulk retry while billing is held, the dialog says so, and counts the tasks done once it is released', async ({ page, api }) => {
  test.setTimeout(90_000);
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'reject');
  const batch = `held${Date.now().toString(36)}`;
  for (let index = 0; index < 3; index += 1) {
    await api.createRegistration(uniqueEmail(batch, index), { name: `Held ${index}` });
  }
  await expect.poll(() => api.countTasks({ q: batch, status: 'error' }), { timeout: 30_000 }).toBe(3);
  await api.setServiceMode('billing', 'up');
  const hold = await page.request.post('/api/v1/services/billing/hold', { data: { reason: 'billing deploy' } });
  expect(hold.status(), await hold.text()).toBe(200);
  try {
    await page.goto(`/tasks?q=${batch}&status=error`);
    await expect(page.getByTestId('task-table').locator('tbody tr')).toHaveCount(3);
    await page.getByRole('checkbox', { name: 'Select every task on this page' }).check();
    await page.getByRole('button', { name: /Retry selected \(3\)/ }).click();
    const dialog = page.getByTestId('bulk-retry-dialog');
    await dialog.getByRole('button', { name: 'Retry 3 tasks' }).click();
    const progress = dialog.getByTestId('bulk-progress');
    await expect(progress.locator('[data-count="waiting"] strong')).toHaveText('3');
    const blocked = progress.getByTestId('bulk-progress-blocked');
    await expect(blocked).toHaveAttribute('data-service', 'billing');
    await expect(blocked).toContainText('billing is held (billing deploy): 3 steps of these tasks wait until it is released.');
    await page.screenshot({ path: 'test-results/safe-repairs/bulk-retry-progress-held.png' });
  } finally {
    await page.request.post('/api/v1/services/billing/release', { data: {} });
  }
  const dialog = page.getByTestId('bulk-retry-dialog');
  await expect(dialog.getByTestId('bulk-progress').locator('[data-count="done"] strong')).toHaveText('3', { timeout: 40_000 });
  await expect(dialog.getByTestId('bulk-progress-blocked')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/safe-repairs/bulk-retry-progress-done.png' });
});
