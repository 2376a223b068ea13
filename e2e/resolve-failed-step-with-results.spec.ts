import { uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

const SCREENSHOTS = 'test-results/safe-repairs';

test.afterEach(async ({ api }) => {
  await api.resetDemoServices();
});

test('resolving a failed step: its results_schema prefills the form and refuses what does not match, then the steps after it run with the results', async ({
  page,
  api,
  taskPage,
}) => {
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'reject');
  const email = uniqueEmail('resolve');
  const task = await api.createRegistration(email);
  const failed = await api.waitForTaskStatus(task.id, 'error');
  const userId = (failed.steps.find((step) => step.name === 'create_user_account')?.results as { id: string }).id;

  await taskPage.goto(task.id, 'setup_billing_profile');
  await expect(taskPage.panel.getByRole('heading', { name: 'setup_billing_profile' })).toBeVisible();
  // The billing step is not skippable, and the panel says why there is no Skip.
  await expect(taskPage.panel.getByTestId('skip-unavailable')).toHaveText("No Skip: this step's template does not say skippable: true.");
  await expect(taskPage.panel.getByRole('button', { name: 'Skip…' })).toHaveCount(0);
  await taskPage.panel.getByRole('button', { name: 'Resolve with results…' }).click();

  // The form starts from the step's results_schema: its required property, with a placeholder of its type.
  const form = taskPage.panel.getByTestId('resolve-form');
  const editor = form.getByTestId('resolve-results');
  expect(JSON.parse(await editor.inputValue())).toEqual({ id: '' });
  // The editor checks the JSON before anything is sent.
  await editor.fill('{ "id": "bill_manual_42", ');
  await expect(form.getByRole('button', { name: 'Resolve step' })).toBeDisabled();
  await expect(form.locator('.field-error').first()).toBeVisible();

  // A reason is required: trying without one says so beside the reason and sends nothing.
  await editor.fill(JSON.stringify({ id: '42', plan: 'gold' }, null, 2));
  await form.getByRole('button', { name: 'Resolve step' }).click();
  await expect(form.getByTestId('resolve-reason-status')).toHaveText(/The reason is required/);
  await expect(form.getByLabel('Reason (required; recorded in the audit trail)')).toBeFocused();

  // Results that do not match the schema are refused; each problem is shown beside the results, by path.
  await form.getByLabel('Reason (required; recorded in the audit trail)').fill('billing profile created by hand in the billing console');
  await form.getByRole('button', { name: 'Resolve step' }).click();
  const problems = form.getByTestId('resolve-results-problems');
  await expect(problems).toBeVisible();
  await expect(problems).toContainText('results_schema of step setup_billing_profile');
  await expect(problems.locator('li[data-path="/results/id"]')).toContainText("id must match pattern '^bill_[A-Za-z0-9_]+$'");
  await expect(problems.locator('li[data-path="/results/plan"]')).toContainText("plan must be one of: 'free', 'pro', 'enterprise'");
  await page.screenshot({ path: `${SCREENSHOTS}/resolve-refused-by-results-schema.png`, fullPage: true });
  // Nothing was written: the step is still in error.
  expect((await api.getTask(task.id)).steps.find((step) => step.name === 'setup_billing_profile')?.status).toBe('error');
  await taskPage.expectStepStatus('setup_billing_profile', 'error');

  await editor.fill(JSON.stringify({ id: 'bill_manual_42', user_id: userId, plan: 'pro', payment_method: 'invoice', status: 'active' }, null, 2));
  await expect(problems).toHaveCount(0);
  await form.getByRole('button', { name: 'Resolve step' }).click();

  await taskPage.expectStepStatus('setup_billing_profile', 'resolved_manually');
  await taskPage.expectStepStatus('send_welcome_sequence', 'complete');
  await taskPage.expectStepStatus('update_user_status', 'complete');

  // The welcome step ran with the resolved results and passed them on.
  await taskPage.openStep('send_welcome_sequence');
  await expect(taskPage.panel.locator('.json-view').filter({ hasText: 'bill_manual_42' }).first()).toBeVisible();
  await taskPage.openStep('update_user_status');
  await expect(taskPage.panel.locator('.json-view').filter({ hasText: 'bill_manual_42' }).first()).toBeVisible();

  await taskPage.openStep('setup_billing_profile');
  await expect(taskPage.panel.getByTestId('transition-list')).toContainText('billing profile created by hand in the billing console');
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toContainText('complete');
  // Completed, but not by its services alone: the page says so.
  await expect(heading.getByTestId('repairs-badge')).toHaveText(/completed with repairs/);
  await page.screenshot({ path: `${SCREENSHOTS}/completed-with-repairs-task.png` });

  // The task list shows the badge too, and filters on it (the filter is in the URL, to share).
  await page.goto(`/tasks?repaired=true&q=${encodeURIComponent(email)}`);
  const row = page.locator(`[data-task-id="${task.id}"]`);
  await expect(row.getByTestId('repairs-badge')).toHaveText(/completed with repairs/);
  await expect(page.locator('select[name="repaired"]')).toHaveValue('true');
  await page.screenshot({ path: `${SCREENSHOTS}/completed-with-repairs-list.png` });
  await page.locator('select[name="repaired"]').selectOption('false');
  await expect(page).toHaveURL(/repaired=false/);
  await expect(row).toHaveCount(0);
});

test('skipping the welcome emails, which the registration template allows, takes a reason and completes the task with repairs', async ({
  page,
  api,
  taskPage,
}) => {
  await api.resetDemoServices();
  await api.setServiceMode('notification', 'reject');
  const task = await api.createRegistration(uniqueEmail('skip'));
  await api.waitForTaskStatus(task.id, 'error', 30_000);

  await taskPage.goto(task.id, 'send_welcome_sequence');
  await expect(taskPage.panel.getByTestId('skip-unavailable')).toHaveCount(0);
  await taskPage.panel.getByRole('button', { name: 'Skip…' }).click();
  const form = taskPage.panel.getByTestId('skip-form');
  await form.getByRole('button', { name: 'Skip step' }).click();
  await expect(form).toContainText('The reason is required');
  await form.getByLabel('Reason (required; recorded in the audit trail)').fill('notification provider down; emails sent by hand');
  await form.getByRole('button', { name: 'Skip step' }).click();

  await taskPage.expectStepStatus('send_welcome_sequence', 'skipped');
  await taskPage.expectStepStatus('update_user_status', 'complete');
  await expect(page.getByRole('heading', { level: 1 }).getByTestId('repairs-badge')).toHaveText(/completed with repairs/);
});
