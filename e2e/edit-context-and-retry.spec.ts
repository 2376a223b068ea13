import { uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

test('editing a failed task’s context and retrying completes it, and the change is in the audit trail', async ({ page, api, taskPage }) => {
  await api.resetDemoServices();
  // A pro plan without a payment method: billing answers 422 on every attempt; only new input helps.
  const email = uniqueEmail('context');
  const task = await api.createRegistration(email, { plan: 'pro', withPaymentMethod: false });
  await api.waitForTaskStatus(task.id, 'error');

  await taskPage.goto(task.id);
  await taskPage.expectStepStatus('setup_billing_profile', 'error');
  await page.getByRole('button', { name: 'Edit context and retry…' }).first().click();

  const dialog = page.getByTestId('context-editor');
  const editor = dialog.getByTestId('context-json');
  const context = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
  expect(context).toMatchObject({ user_info: { email, plan: 'pro' } });
  await editor.fill(JSON.stringify({ ...context, billing_info: { payment_method: 'card' } }, null, 2));
  await dialog.getByRole('button', { name: 'Review change' }).click();

  const diff = dialog.getByTestId('context-diff');
  await expect(diff).toContainText('billing_info');
  await expect(diff).toContainText('card');
  await dialog.getByLabel('Reason (required, recorded in the audit trail)').fill('customer confirmed payment by card');
  await dialog.getByRole('button', { name: 'Save context and retry' }).click();
  await expect(dialog).toBeHidden();

  await taskPage.expectStepStatus('setup_billing_profile', 'complete');
  await taskPage.expectStepStatus('update_user_status', 'complete');

  const audit = page.getByRole('region', { name: 'Audit trail' });
  await expect(audit).toContainText('customer confirmed payment by card');
  await expect(audit.getByTestId('audit-context-diff')).toContainText('billing_info');
  const saved = await api.getTask(task.id);
  expect(saved.context).toMatchObject({ billing_info: { payment_method: 'card' } });
});
