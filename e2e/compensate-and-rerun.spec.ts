import type { Page } from '@playwright/test';
import type { Session } from '../lib/api/types';
import { DEMO_CONTROL_URL, uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

/** The registration story's cleanup in the dashboard (issue 15): compensate, re-run, "Compensate all", and a viewer refused. */
test.afterEach(async ({ api }) => {
  await api.resetDemoServices();
});

async function records(page: Page): Promise<Record<string, number>> {
  const response = await page.request.get(DEMO_CONTROL_URL);
  const body = (await response.json()) as { services: Record<string, { records: number }> };
  return Object.fromEntries(Object.entries(body.services).map(([name, service]) => [name, service.records]));
}

test('compensate a failed registration from its page: the dry run lists the undos, the graph reaches compensated', async ({
  page,
  api,
  taskPage,
}) => {
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'reject');
  const task = await api.createRegistration(uniqueEmail('undo'), { name: 'Undo' });
  await api.waitForTaskStatus(task.id, 'error');
  await expect.poll(async () => (await records(page)).preferences, { timeout: 15_000 }).toBe(1);

  await taskPage.goto(task.id);
  await page.getByTestId('compensate-task').click();
  const dialog = page.getByTestId('compensate-dialog');
  const plan = dialog.getByTestId('compensation-plan');
  await expect(plan.locator('li')).toHaveCount(2);
  await expect(plan.locator('li').nth(0)).toHaveAttribute('data-compensation', 'compensate.initialize_preferences');
  await expect(plan.locator('li').nth(1)).toHaveAttribute('data-compensation', 'compensate.create_user_account');
  // The dry run changed nothing; without a reason the button waits.
  expect((await api.getTask(task.id)).status).toBe('error');
  await expect(dialog.getByTestId('compensate-confirm')).toBeDisabled();
  await dialog.getByTestId('compensate-reason').fill('card refused for good');
  await dialog.getByTestId('compensate-confirm').click();
  await expect(dialog.getByTestId('compensate-started')).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();

  await taskPage.expectStepStatus('create_user_account', 'compensated');
  await taskPage.expectStepStatus('initialize_preferences', 'compensated');
  await taskPage.expectStepStatus('setup_billing_profile', 'cancelled');
  await taskPage.expectStepStatus('compensate.create_user_account', 'complete');
  await expect(taskPage.step('compensate.create_user_account')).toHaveAttribute('data-kind', 'compensation');
  await expect(page.locator('h1').getByText('compensated')).toBeVisible();
  // The header counts the template's five steps, not the compensations.
  await expect(page.getByTestId('task-steps-done')).toHaveText('steps done 0/5, 2 undone');
  await expect(page.getByTestId('status-legend')).toContainText('compensated');
  expect(await records(page)).toMatchObject({ user: 0, billing: 0, preferences: 0 });
  await page.screenshot({ path: 'test-results/compensation/compensated-task.png', fullPage: true });

  // The compensation step's attempt is in its panel.
  await taskPage.openStep('compensate.create_user_account');
  await expect(page.getByTestId('step-undoes')).toHaveText('create_user_account');
});

test('a user who already had an account: the dry run lists the account as kept, with why, and compensating leaves it', async ({
  page,
  api,
  taskPage,
}) => {
  await api.resetDemoServices();
  const email = uniqueEmail('had-one');
  // The account exists before the registration: its first step adopts it (409, already_existed: true).
  const existing = await page.request.post(DEMO_CONTROL_URL.replace('/_control', '/user/users'), { data: { email, name: 'Had One' } });
  expect(existing.status()).toBe(201);
  await api.setServiceMode('billing', 'reject');
  const task = await api.createRegistration(email, { name: 'Had One' });
  await api.waitForTaskStatus(task.id, 'error');
  await expect.poll(async () => (await records(page)).preferences, { timeout: 15_000 }).toBe(1);

  await taskPage.goto(task.id);
  await page.getByTestId('compensate-task').click();
  const dialog = page.getByTestId('compensate-dialog');
  await expect(dialog.getByTestId('compensation-plan').locator('li')).toHaveCount(1);
  await expect(dialog.getByTestId('compensation-plan').locator('li')).toHaveAttribute('data-compensation', 'compensate.initialize_preferences');
  await expect(dialog.getByTestId('compensation-skipped').locator('[data-skipped="create_user_account"]')).toContainText('already_existed: true');
  await dialog.screenshot({ path: 'test-results/compensation/kept-account-dry-run.png' });
  await dialog.getByTestId('compensate-reason').fill('card refused: undo what this sign-up did');
  await dialog.getByTestId('compensate-confirm').click();
  await expect(dialog.getByTestId('compensate-started')).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();

  await taskPage.expectStepStatus('initialize_preferences', 'compensated');
  await expect(page.locator('h1').getByText('compensated')).toBeVisible();
  await taskPage.expectStepStatus('create_user_account', 'complete');
  await expect(page.getByTestId('task-steps-done')).toHaveText('steps done 1/5, 1 undone');
  expect(await records(page)).toMatchObject({ user: 1, preferences: 0 });
});

test('re-run the welcome step: a second welcome sequence is sent, the steps before it keep one attempt', async ({ page, api, taskPage }) => {
  await api.resetDemoServices();
  const task = await api.createRegistration(uniqueEmail('resend'), { name: 'Resend' });
  await api.waitForTaskStatus(task.id, 'complete');
  expect((await records(page)).notification).toBe(1);

  await taskPage.goto(task.id, 'send_welcome_sequence');
  await page.getByTestId('rerun-step').click();
  const dialog = page.getByTestId('rerun-dialog');
  await dialog.getByTestId('rerun-reason').fill('the e-mails bounced');
  await dialog.getByTestId('rerun-confirm').click();
  await expect(dialog.getByTestId('rerun-started')).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();

  await expect.poll(async () => (await records(page)).notification, { timeout: 20_000 }).toBe(2);
  const after = await api.waitForTaskStatus(task.id, 'complete');
  const attempts = Object.fromEntries(after.steps.map((step) => [step.name, step.attempts]));
  expect(attempts).toMatchObject({ create_user_account: 1, setup_billing_profile: 1, initialize_preferences: 1, send_welcome_sequence: 2 });
  await taskPage.expectStepStatus('send_welcome_sequence', 'complete');
});

test('"Compensate all" on a Failures group: the dry run first, then every task of the batch is compensated', async ({ page, api, failuresPage }) => {
  test.setTimeout(90_000);
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'reject');
  const batch = `undoall${Date.now().toString(36)}`;
  for (let index = 0; index < 3; index += 1) {
    await api.createRegistration(uniqueEmail(batch, index), { name: `Undo ${index}` });
  }
  await expect.poll(() => api.countTasks({ q: batch, status: 'error' }), { timeout: 30_000 }).toBe(3);

  await failuresPage.goto();
  const group = failuresPage.group({ template: 'blog_examples/user_registration', step: 'setup_billing_profile', error: 'rejects every request' });
  await group.getByRole('button', { name: 'Compensate all…' }).click();
  const dialog = page.getByTestId('bulk-compensate-dialog');
  await expect(dialog.getByTestId('bulk-compensate-preview')).toBeVisible();
  await expect(dialog.getByTestId('bulk-compensate-steps')).toContainText('create_user_account');
  expect(await api.countTasks({ q: batch, status: 'error' })).toBe(3);
  await dialog.getByTestId('bulk-compensate-reason').fill('cards refused: undo the sign-ups');
  await dialog.getByTestId('bulk-compensate-confirm').click();
  await expect(dialog.getByTestId('bulk-compensate-done')).toBeVisible();
  await expect.poll(() => api.countTasks({ q: batch, status: 'compensated' }), { timeout: 40_000 }).toBe(3);
});

test('"Cancel selected…" in the task list: the dry run counts the tasks and lists the refused one with why, then cancels', async ({
  page,
  api,
  tasksPage,
}) => {
  test.setTimeout(60_000);
  await api.resetDemoServices();
  const batch = `cancelsel${Date.now().toString(36)}`;
  const finished = await api.createRegistration(uniqueEmail(batch, 0), { name: 'Done Already' });
  await api.waitForTaskStatus(finished.id, 'complete');
  await api.setServiceMode('billing', 'reject');
  const failed = [
    await api.createRegistration(uniqueEmail(batch, 1), { name: 'Stop 1' }),
    await api.createRegistration(uniqueEmail(batch, 2), { name: 'Stop 2' }),
  ];
  for (const task of failed) {
    await api.waitForTaskStatus(task.id, 'error');
  }

  await tasksPage.goto(`?q=${batch}`);
  await expect(tasksPage.rows).toHaveCount(3);
  for (const task of [finished, ...failed]) {
    await page.getByRole('checkbox', { name: `Select task ${task.id}` }).check();
  }
  await page.getByTestId('cancel-selected').click();
  const dialog = page.getByTestId('bulk-cancel-dialog');
  await expect(dialog.getByTestId('bulk-cancel-task-count')).toHaveText('2 tasks');
  await expect(dialog.getByTestId('bulk-cancel-refused').locator(`[data-refused="${finished.id}"]`)).toContainText('the task is complete');
  await expect(dialog.getByTestId('bulk-cancel-steps')).toContainText('send_welcome_sequence');
  // The dry run changed nothing; without a reason the button waits.
  expect((await api.getTask(failed[0]!.id)).status).toBe('error');
  await expect(dialog.getByTestId('bulk-cancel-confirm')).toBeDisabled();
  await dialog.getByTestId('bulk-cancel-reason').fill('duplicate sign-ups');
  await dialog.getByTestId('bulk-cancel-confirm').click();
  await expect(dialog.getByTestId('bulk-cancel-done')).toContainText('Cancelled 2 tasks');
  await expect(dialog.getByTestId('bulk-cancel-done-refused')).toContainText(`#${finished.id}`);
  await dialog.getByRole('button', { name: 'Done' }).click();
  for (const task of failed) {
    await api.waitForTaskStatus(task.id, 'cancelled');
  }
  expect((await api.getTask(finished.id)).status).toBe('complete');
});

test('a viewer sees "Cancel selected…" in the task list unavailable, with the reason', async ({ page, api, tasksPage }) => {
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'reject');
  const batch = `viewercancel${Date.now().toString(36)}`;
  const failed = await api.createRegistration(uniqueEmail(batch), { name: 'Vic' });
  await api.waitForTaskStatus(failed.id, 'error');
  const viewer: Session = { mode: 'token', actor: 'night-viewer', role: 'viewer' };
  await page.route('**/api/v1/session', (route) => (route.request().method() === 'GET' ? route.fulfill({ json: viewer }) : route.continue()));
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') {
      posts.push(request.url());
    }
  });
  await tasksPage.goto(`?q=${batch}`);
  await page.getByRole('checkbox', { name: `Select task ${failed.id}` }).check();
  const cancel = page.getByTestId('cancel-selected');
  await expect(cancel).toBeDisabled();
  await expect(cancel).toHaveAccessibleDescription("Your role (viewer) can't retry, compensate or cancel tasks; ask for an operator token.");
  await cancel.click({ force: true });
  await expect(page.getByTestId('bulk-cancel-dialog')).toHaveCount(0);
  expect(posts).toEqual([]);
  expect((await api.getTask(failed.id)).status).toBe('error');
});

test('a viewer sees "Compensate task…" and "Re-run step…" unavailable, with the reason', async ({ page, api, taskPage }) => {
  await api.resetDemoServices();
  await api.setServiceMode('billing', 'reject');
  const failed = await api.createRegistration(uniqueEmail('viewer-undo'), { name: 'Vic' });
  await api.waitForTaskStatus(failed.id, 'error');
  const viewer: Session = { mode: 'token', actor: 'night-viewer', role: 'viewer' };
  await page.route('**/api/v1/session', (route) => (route.request().method() === 'GET' ? route.fulfill({ json: viewer }) : route.continue()));
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') {
      posts.push(request.url());
    }
  });

  await taskPage.goto(failed.id, 'create_user_account');
  const compensate = page.getByTestId('compensate-task');
  await expect(compensate).toBeDisabled();
  await expect(compensate).toHaveAccessibleDescription("Your role (viewer) can't compensate tasks; ask for an operator token.");
  await compensate.click({ force: true });
  await expect(page.getByTestId('compensate-dialog')).toHaveCount(0);
  const rerun = page.getByTestId('rerun-step');
  await expect(rerun).toBeDisabled();
  await expect(rerun).toHaveAccessibleDescription("Your role (viewer) can't re-run steps; ask for an operator token.");
  await rerun.click({ force: true });
  await expect(page.getByTestId('rerun-dialog')).toHaveCount(0);
  expect(posts).toEqual([]);
});
