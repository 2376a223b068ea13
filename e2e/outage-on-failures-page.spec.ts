import { uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

test.afterEach(async ({ api, request }) => {
  await api.resetDemoServices();
  // Leave billing's circuit closed for the specs that follow (409: it is already closed).
  await request.post('/api/v1/services/billing/circuit', { data: { action: 'close', reason: 'e2e clean-up' } });
});

test('an outage appears on Failures at once with its reason, the task list says why each task waits, and Close circuit ends it', async ({
  page,
  api,
  taskPage,
}) => {
  test.setTimeout(150_000);
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'down');
  const batch = `outage${Date.now().toString(36)}`;
  for (let index = 0; index < 6; index += 1) {
    await api.createRegistration(uniqueEmail(batch, index), { name: `Outage ${index}` });
  }

  // Failures: the wait on billing, at once, before anything is stuck, with the circuit and its next probe.
  await page.goto('/failures');
  const group = page.locator('[data-testid="waiting-group"][data-service="billing"][data-kind="circuit_open"]');
  await expect(group).toHaveCount(1, { timeout: 60_000 });
  await expect(group.getByTestId('waiting-headline')).toContainText(/waiting on billing: circuit (open|half-open .*) since \d\d:\d\d UTC/);
  await expect(group.getByTestId('waiting-headline')).toContainText(/next probe (in \d|due now)/);
  await expect(group).toContainText('blog_examples/user_registration');
  await expect(group).toContainText('setup_billing_profile');
  expect(Number(await group.getByTestId('waiting-count').textContent())).toBeGreaterThanOrEqual(6);
  // The same partial-state strip as a failure group: the accounts exist in the user service.
  const accounts = group.locator('[data-partial-step="create_user_account"]');
  await expect(accounts).toContainText('user holds their data');
  await expect(group.locator('[data-partial-step="setup_billing_profile"]')).toContainText('waiting here');
  await expect(page.getByText('Nothing is failing')).toHaveCount(0);
  // README's outage view (docs/outage.png): the waiting group with its headline, count and strip.
  await group.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/outage.png' });

  // The task list says why each of its tasks waits.
  await page.goto(`/tasks?q=${batch}`);
  const rows = page.getByTestId('task-table').locator('tbody tr');
  await expect(rows).toHaveCount(6);
  await expect(rows.first().getByTestId('waiting-reason')).toContainText(/waiting: billing circuit open, next probe (in \d|due now)/);
  // Those whose billing call failed before the circuit opened show that error's signature (the others never called it).
  await expect(page.getByTestId('task-table').getByTestId('task-last-error').first()).toContainText('HTTP 503');

  // The task's step panel says it too.
  const taskId = (await rows.first().getAttribute('data-task-id')) ?? '';
  await taskPage.goto(taskId, 'setup_billing_profile');
  await expect(taskPage.step('setup_billing_profile').getByTestId('step-node-waiting')).toContainText('billing circuit open');
  await expect(taskPage.panel.getByTestId('step-waiting-reason')).toContainText(/billing circuit open, next probe (in \d|due now)/);

  // Billing is back; an operator closes the circuit on the Services page: every registration completes.
  await api.setServiceMode('billing', 'up');
  await page.goto('/services');
  const card = page.locator('[data-testid="service-card"][data-service="billing"]');
  const controls = card.getByTestId('circuit-controls');
  const close = controls.locator('[data-circuit-action="close"]');
  // Without a reason it cannot be closed: the reason is audited with the change.
  await expect(close).toBeDisabled();
  await controls.getByLabel('circuit reason').fill('billing confirmed healthy by the provider');
  // (Unless its own probe closed it in between: the cool-down is 30 s.)
  if (await close.isEnabled()) {
    await close.click();
  }
  await expect(card).toContainText('circuit closed', { timeout: 15_000 });
  await expect.poll(() => api.countTasks({ q: batch, status: 'complete' }), { timeout: 60_000 }).toBe(6);
  await page.goto('/failures');
  await expect(page.locator('[data-testid="waiting-group"][data-service="billing"]')).toHaveCount(0, { timeout: 15_000 });
});
