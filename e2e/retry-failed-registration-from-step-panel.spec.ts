import { expect, test } from './pages/test';
import { uniqueEmail } from './pages/switchyard-api';

test.afterEach(async ({ api }) => {
  await api.resetDemoServices();
});

test('a registration rejected by billing shows in Failures, and retrying its step from the panel completes it live', async ({
  page,
  api,
  failuresPage,
  taskPage,
}) => {
  await api.resetDemoServices();

  // The operator breaks billing from the Services page, as in the 2 AM outage (but a permanent 422).
  await page.goto('/services');
  const billing = page.locator('[data-testid="service-card"][data-service="billing"]');
  await billing.getByRole('button', { name: 'Reject' }).click();
  await expect(billing.locator('[data-mode="reject"]')).toBeVisible();

  const task = await api.createRegistration(uniqueEmail('outage'));
  await api.waitForTaskStatus(task.id, 'error');

  await failuresPage.goto();
  const group = failuresPage.group({ template: 'blog_examples/user_registration', step: 'setup_billing_profile', error: 'rejects every request' });
  await expect(group).toHaveCount(1);
  await expect(group.getByTestId('failure-count')).toHaveText('1');
  // Its partial state: the user and the preferences already exist in their services.
  await expect(group.locator('[data-partial-step="create_user_account"]')).toHaveAttribute('data-done', '1');
  await expect(group.locator('[data-partial-step="initialize_preferences"]')).toHaveAttribute('data-done', '1');

  await group.getByRole('link', { name: 'Open its tasks' }).click();
  await expect(page).toHaveURL(/\/tasks\?.*step=setup_billing_profile/);
  await page.locator(`tr[data-task-id="${task.id}"]`).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/tasks/${task.id}`));

  await taskPage.expectStepStatus('setup_billing_profile', 'error');
  await taskPage.expectStepStatus('initialize_preferences', 'complete');
  await taskPage.expectStepStatus('send_welcome_sequence', 'pending');
  await taskPage.markWindow();

  await api.setServiceMode('billing', 'up');
  await taskPage.openStep('setup_billing_profile');
  await expect(taskPage.panel.getByTestId('attempt-table')).toContainText('422');
  await taskPage.panel.getByRole('button', { name: 'Retry step' }).click();

  for (const step of ['setup_billing_profile', 'send_welcome_sequence', 'update_user_status']) {
    await taskPage.expectStepStatus(step, 'complete');
  }
  await expect(page.getByRole('heading', { level: 1 })).toContainText('complete');
  await taskPage.expectSameWindow();
});
