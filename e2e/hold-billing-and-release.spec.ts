import { uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

test.afterEach(async ({ request, api }) => {
  // Whatever happened, billing is not left held for the next spec (409 when it is not held: fine).
  await request.post('/api/v1/services/billing/release', { data: { reason: 'end of the hold spec' } });
  await api.resetDemoServices();
});

test('an operator holds billing on the Services page: its steps wait on the hold without spending attempts; release → the registration completes', async ({
  page,
  api,
  taskPage,
}) => {
  await api.resetDemoServices();
  await page.goto('/services');
  const billing = page.locator('[data-testid="service-card"][data-service="billing"]');
  const hold = billing.getByTestId('service-hold');
  await expect(hold.getByRole('button', { name: 'Hold billing' })).toBeDisabled();
  await hold.getByLabel('hold reason').fill('billing deploy until 02:30');
  await hold.getByRole('button', { name: 'Hold billing' }).click();

  // The hold, its reason and its age.
  await expect(billing.locator('[data-hold="held"]')).toBeVisible();
  await expect(hold.getByTestId('hold-reason')).toHaveText('billing deploy until 02:30');
  await expect(hold.locator('time')).toHaveText(/ago|now/);
  await expect(hold.getByRole('button', { name: 'Release billing' })).toBeEnabled();

  // A registration runs up to billing and waits there, saying why, with no attempt spent.
  const task = await api.createRegistration(uniqueEmail('held'));
  await taskPage.goto(task.id);
  await taskPage.expectStepStatus('create_user_account', 'complete');
  const billingStep = taskPage.step('setup_billing_profile');
  await expect(billingStep.getByTestId('step-node-waiting')).toHaveText('waiting: billing is held');
  await expect(billingStep).toHaveAttribute('data-status', 'ready');
  // The other branch (preferences) does not wait for billing.
  await taskPage.expectStepStatus('initialize_preferences', 'complete');
  const detail = await api.getTask(task.id);
  expect(detail.steps.find((step) => step.name === 'setup_billing_profile')).toMatchObject({
    attempts: 0,
    waiting_reason: { kind: 'held', service: 'billing' },
  });

  // Release from the Services page: the registration completes on its own.
  await page.goto('/services');
  await billing.getByRole('button', { name: 'Release billing' }).click();
  await expect(billing.locator('[data-hold="held"]')).toHaveCount(0);
  await expect(hold.getByRole('button', { name: 'Hold billing' })).toBeVisible();
  await api.waitForTaskStatus(task.id, 'complete');
  await taskPage.goto(task.id);
  await taskPage.expectStepStatus('setup_billing_profile', 'complete');
  await expect(taskPage.step('setup_billing_profile').getByTestId('step-node-waiting')).toHaveCount(0);
});
