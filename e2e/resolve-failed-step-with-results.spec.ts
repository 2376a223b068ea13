import { uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

test.afterEach(async ({ api }) => {
  await api.resetDemoServices();
});

test('resolving a failed step with results lets the steps after it run with those results', async ({ page, api, taskPage }) => {
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'reject');
  const task = await api.createRegistration(uniqueEmail('resolve'));
  const failed = await api.waitForTaskStatus(task.id, 'error');
  const userId = (failed.steps.find((step) => step.name === 'create_user_account')?.results as { id: string }).id;

  await taskPage.goto(task.id, 'setup_billing_profile');
  await expect(taskPage.panel.getByRole('heading', { name: 'setup_billing_profile' })).toBeVisible();
  await taskPage.panel.getByRole('button', { name: 'Resolve with results…' }).click();

  const editor = taskPage.panel.getByTestId('resolve-results');
  // The editor checks the JSON before anything is sent.
  await editor.fill('{ "id": "bill_manual_42", ');
  await expect(taskPage.panel.getByRole('button', { name: 'Resolve step' })).toBeDisabled();
  await expect(taskPage.panel.locator('.field-error')).toBeVisible();
  await editor.fill(JSON.stringify({ id: 'bill_manual_42', user_id: userId, plan: 'pro', payment_method: 'invoice', status: 'active' }, null, 2));
  await taskPage.panel.getByLabel('Reason (recorded in the audit trail)').fill('billing profile created by hand in the billing console');
  await taskPage.panel.getByRole('button', { name: 'Resolve step' }).click();

  await taskPage.expectStepStatus('setup_billing_profile', 'resolved_manually');
  await taskPage.expectStepStatus('send_welcome_sequence', 'complete');
  await taskPage.expectStepStatus('update_user_status', 'complete');

  // The welcome step ran with the resolved results and passed them on.
  await taskPage.openStep('send_welcome_sequence');
  await expect(taskPage.panel.locator('.json-view').filter({ hasText: 'bill_manual_42' })).toBeVisible();
  await taskPage.openStep('update_user_status');
  await expect(taskPage.panel.locator('.json-view').filter({ hasText: 'bill_manual_42' })).toBeVisible();

  await taskPage.openStep('setup_billing_profile');
  await expect(taskPage.panel.getByTestId('transition-list')).toContainText('billing profile created by hand in the billing console');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('complete');
});
