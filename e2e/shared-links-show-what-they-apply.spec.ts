import { SEEDED_TASKS } from './pages/seeded-tasks';
import { expect, test } from './pages/test';

const seeded = `namespace=${SEEDED_TASKS.namespace}&name=${SEEDED_TASKS.name}`;

test('a link with several statuses shows them in the filter bar and asks the API for both', async ({ page, tasksPage }) => {
  const asked = page.waitForRequest((request) => {
    const url = new URL(request.url());
    return url.pathname === '/api/v1/tasks' && url.searchParams.get('status') === 'complete,cancelled';
  });
  await tasksPage.goto(`?${seeded}&status=complete,cancelled`);
  await asked;
  const status = tasksPage.filters.locator('select[name="status"]');
  await expect(status).toHaveValue('complete,cancelled');
  await expect(status.locator('option:checked')).toHaveText('complete or cancelled');
  await tasksPage.waitForRows({ count: 50, rows: 'Rows 1–50' });

  // Picking one status replaces the combination.
  await status.selectOption('cancelled');
  await expect(page).toHaveURL(/status=cancelled(&|$)/);
  await expect(status.locator('option:checked')).toHaveText('cancelled');
  await tasksPage.waitForRows({ count: 50, rows: 'Rows 1–50', text: 'cancelled' });
});

test('a link to a later page claims no row numbers and offers the first page', async ({ page, api, tasksPage }) => {
  const first = await api.listTasks({ namespace: SEEDED_TASKS.namespace, name: SEEDED_TASKS.name, limit: 50 });
  const second = await api.listTasks({ namespace: SEEDED_TASKS.namespace, name: SEEDED_TASKS.name, limit: 50, cursor: first.next_cursor! });
  const thirdCursor = second.next_cursor!;

  await tasksPage.goto(`?${seeded}&cursor=${encodeURIComponent(thirdCursor)}`);
  await tasksPage.waitForRows({ count: 50, rows: '50 rows, further down the list' });
  await expect(tasksPage.pagination).not.toContainText('Rows');
  await expect(tasksPage.pagination.getByRole('button', { name: '← Previous' })).toHaveCount(0);

  // Next from there knows its way back, still without numbers.
  const linkedFirst = await tasksPage.rows.first().getAttribute('data-task-id');
  await tasksPage.pagination.getByRole('button', { name: 'Next →' }).click();
  await tasksPage.waitForRows({ count: 50, rows: '50 rows, further down the list', notFirst: linkedFirst });
  await tasksPage.pagination.getByRole('button', { name: '← Previous' }).click();
  await tasksPage.waitForRows({ count: 50, rows: '50 rows, further down the list' });
  await expect(tasksPage.rows.first()).toHaveAttribute('data-task-id', linkedFirst!);

  await tasksPage.pagination.getByRole('button', { name: '⇤ First page' }).click();
  await tasksPage.waitForRows({ count: 50, rows: 'Rows 1–50' });
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(tasksPage.rows.first()).toHaveAttribute('data-task-id', first.items[0]!.id);
});

test('failures follow ?namespace=&name=, show it as a removable filter, and let the user pick a template', async ({ page, api, failuresPage }) => {
  const run = `fail${Date.now().toString(36)}`;
  const failing = await api.createTask('e2e_api', 'api_always_fails', { order_id: 3, run });
  await api.waitForTaskStatus(failing.id, 'error');

  await page.goto('/failures?namespace=e2e_dashboard&name=many_tasks');
  await expect(page.getByTestId('failure-template-filter')).toHaveText(/e2e_dashboard\/many_tasks/);
  await expect(page.getByText('Nothing is failing in e2e_dashboard/many_tasks')).toBeVisible();
  await expect(page.locator('[data-testid="failure-group"]')).toHaveCount(0);

  await page.getByTestId('failure-filters').locator('select[name="template"]').selectOption('e2e_api/api_always_fails');
  await expect(page).toHaveURL(/namespace=e2e_api&name=api_always_fails/);
  await expect(failuresPage.group({ template: 'e2e_api/api_always_fails', step: 'charge' }).first()).toBeVisible();
  const templates = await page
    .locator('[data-testid="failure-group"]')
    .evaluateAll((groups) => groups.map((group) => group.getAttribute('data-template')));
  expect(templates.every((template) => template === 'e2e_api/api_always_fails')).toBe(true);

  await page.getByRole('button', { name: 'Remove the template filter' }).click();
  await expect(page).toHaveURL(/\/failures$/);
  await expect(page.getByTestId('failure-template-filter')).toHaveCount(0);
});
