import type { Page } from '@playwright/test';
import type { TaskDetail } from '../lib/api/types';
import { SEEDED_TASKS } from './pages/seeded-tasks';
import { uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

const SHOTS = 'e2e/screenshots';

async function shoot(page: Page, name: string) {
  // Let relative times and the graph's fit settle before the picture.
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test('every page, with a night of mixed registrations, saved as screenshots', async ({ page, api, request }) => {
  test.setTimeout(180_000);
  await api.resetDemoServices();
  const created: string[] = [];
  const failed: string[] = [];
  const names = ['Ann Lee', 'Bo Chen', 'Cara Diaz', 'Dev Patel', 'Eli Novak', 'Fay Moreau', 'Gus Okafor', 'Hana Sato'];
  for (const [index, name] of names.entries()) {
    created.push(
      (await api.createRegistration(uniqueEmail(name.split(' ')[0]!.toLowerCase(), index), { name, plan: index % 3 ? 'free' : 'pro' })).id,
    );
  }
  await api.setServiceMode('billing', 'reject');
  for (let index = 0; index < 5; index += 1) {
    failed.push((await api.createRegistration(uniqueEmail('rejected', index), { name: `Rejected ${index + 1}` })).id);
  }
  for (const id of failed) {
    await api.waitForTaskStatus(id, 'error');
  }
  await api.setServiceMode('billing', 'up');
  for (let index = 0; index < 2; index += 1) {
    failed.push(
      (await api.createRegistration(uniqueEmail('nocard', index), { name: `No card ${index + 1}`, plan: 'pro', withPaymentMethod: false })).id,
    );
  }
  await api.setServiceMode('notification', 'rate_limited', { retry_after_seconds: 60 });
  const waiting: string[] = [];
  for (let index = 0; index < 3; index += 1) {
    waiting.push((await api.createRegistration(uniqueEmail('waiting', index), { name: `Waiting ${index + 1}` })).id);
  }
  for (const id of failed.slice(-2)) {
    await api.waitForTaskStatus(id, 'error');
  }
  await expect
    .poll(async () => (await api.getTask(waiting[0]!)).steps.find((step) => step.name === 'send_welcome_sequence')?.status, { timeout: 20_000 })
    .toBe('waiting_retry');

  await page.goto('/');
  await expect(page.getByTestId('stat-failed')).toBeVisible();
  // Counted on the server over every task: the seeded history alone puts more tasks in the last 24 hours
  // (a thirtieth of 100,000) than the browser once read per question (the newest 2,000).
  const lastDay = Number((await page.getByTestId('created-last-24h').innerText()).replace(/[^0-9]/g, ''));
  expect(lastDay).toBeGreaterThan(SEEDED_TASKS.count / 30 - 300);
  expect(Number((await page.getByTestId('overview-total').innerText()).replace(/[^0-9]/g, ''))).toBeGreaterThanOrEqual(SEEDED_TASKS.count);
  await expect(page.getByTestId('stat-failed').getByRole('link', { name: /failed in the last hour/ })).toHaveAttribute(
    'href',
    /status=error&failed_after=/,
  );
  await shoot(page, 'overview');

  await page.goto('/tasks');
  await expect(page.getByTestId('task-table')).toBeVisible();
  await page.getByTestId('task-table').locator('tbody tr').nth(1).getByRole('checkbox').check();
  await page.getByTestId('task-table').locator('tbody tr').nth(2).getByRole('checkbox').check();
  await shoot(page, 'tasks');

  await page.goto('/failures');
  await expect(page.getByTestId('failure-group').first()).toBeVisible();
  await shoot(page, 'failures');

  await page.goto(`/tasks/${failed[0]}?step=setup_billing_profile`);
  await expect(page.getByTestId('step-panel')).toBeVisible();
  await expect(page.getByTestId('attempt-table')).toBeVisible();
  await shoot(page, 'task-failed-step');

  await page.goto(`/tasks/${waiting[0]}?step=send_welcome_sequence`);
  await expect(page.getByTestId('step-panel')).toBeVisible();
  await shoot(page, 'task-waiting-retry');

  await page.goto(`/tasks/${created[0]}`);
  await expect(page.locator('[data-step="update_user_status"]')).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  await shoot(page, 'task-complete');

  await page.goto('/services');
  await expect(page.getByTestId('service-card').first()).toBeVisible();
  await shoot(page, 'services');

  await page.goto('/templates');
  await expect(page.getByTestId('template-table')).toBeVisible();
  await shoot(page, 'templates');

  await page.goto('/templates/blog_examples/user_registration');
  await expect(page.getByTestId('template-yaml')).toBeVisible();
  await shoot(page, 'template');

  await page.goto('/api-docs');
  await expect(page.getByTestId('api-routes')).toBeVisible();
  await page.locator('details.route').filter({ hasText: 'Create a task of a template' }).locator('summary').click();
  await shoot(page, 'api-docs');

  // Leave nothing failing for other specs.
  await api.resetDemoServices();
  for (const id of failed) {
    const cancelled = await request.post(`/api/v1/tasks/${id}/cancel`, { data: { reason: 'screenshot scene cleaned up' } });
    expect(cancelled.status(), await cancelled.text()).toBe(202);
    expect(((await cancelled.json()) as TaskDetail).status).toBe('cancelled');
  }
});
