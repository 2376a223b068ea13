import { uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

test.afterEach(async ({ api }) => {
  await api.resetDemoServices();
});

test("an attempt's request and response are shown in the step panel, opened from the keyboard", async ({ page, api, taskPage }) => {
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'reject');
  const task = await api.createRegistration(uniqueEmail('inside-attempt'));
  await api.waitForTaskStatus(task.id, 'error');

  await taskPage.goto(task.id, 'setup_billing_profile');
  const attempt = taskPage.panel.locator('[data-testid="attempt-table"] li[data-attempt="1"]');
  const details = attempt.getByTestId('attempt-details');
  // Collapsed to one line that already says what was called and what came back.
  await expect(details.locator('summary')).toHaveText('POST billing /profiles → 422');
  await expect(details.getByTestId('attempt-request')).toBeHidden();

  await details.locator('summary').focus();
  await page.keyboard.press('Enter');
  const request = details.getByTestId('attempt-request');
  const response = details.getByTestId('attempt-response');
  await expect(request).toBeVisible();
  await expect(request.locator('h4')).toHaveText(/Request POST billing \/profiles/);
  await expect(request).toContainText('idempotency-key');
  await expect(request).toContainText('"payment_method": "card"');
  await expect(request).toContainText('"plan": "pro"');
  await expect(response.locator('h4')).toHaveText('Response 422');
  await expect(response).toContainText('content-type');
  await expect(response).toContainText('billing rejects every request');

  // Enter again closes it.
  await page.keyboard.press('Enter');
  await expect(request).toBeHidden();

  // A step that succeeded shows what the service created.
  await taskPage.openStep('create_user_account');
  const created = taskPage.panel.getByTestId('attempt-details').first();
  await expect(created.locator('summary')).toHaveText('POST user /users → 201 · 1 log line');
  await created.locator('summary').click();
  await expect(created.getByTestId('attempt-response').locator('h4')).toHaveText('Response 201');
  await expect(created.getByTestId('attempt-response')).toContainText('"id": "usr_');
  await expect(created.getByTestId('attempt-logs')).toContainText('created the user account');
});

test("a password and an Authorization header sent by a step are shown redacted, never as sent, with the handler's log line", async ({
  page,
  api,
  taskPage,
}) => {
  await api.resetDemoServices();
  const password = 'e2e-password-8d1f';
  const apiToken = 'e2e-api-token-41c7';
  const task = await api.createTask('e2e_attempts', 'signup_with_secrets', { email: uniqueEmail('secrets'), password, api_token: apiToken });
  await api.waitForTaskStatus(task.id, 'complete');

  await taskPage.goto(task.id, 'create_user');
  const details = taskPage.panel.getByTestId('attempt-details').first();
  await expect(details.locator('summary')).toHaveText('POST user /users → 201 · 1 log line');
  await details.locator('summary').click();
  const request = details.getByTestId('attempt-request');
  await expect(request.locator('dt', { hasText: 'authorization' }).locator('+ dd')).toHaveText('[redacted]');
  await expect(request).toContainText('"password": "[redacted]"');
  await expect(request).toContainText('"plan": "pro"');
  await expect(details.getByTestId('attempt-response')).toContainText('"status": "pending"');
  await expect(details.getByTestId('attempt-logs')).toContainText('service answered');
  // The panel holds neither secret anywhere (the task's context, shown elsewhere on the page, does).
  const panelHtml = await taskPage.panel.innerHTML();
  expect(panelHtml).not.toContain(password);
  expect(panelHtml).not.toContain(apiToken);
  await details.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/attempt-details.png' });
});
