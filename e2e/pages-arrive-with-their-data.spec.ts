import { SEEDED_TASKS, seededEmail } from './pages/seeded-tasks';
import { expect, test } from './pages/test';

/**
 * The task list and the task page are rendered with their first data on the server: the HTML the
 * browser receives already holds the rows and the laid-out graph, before any of the app's scripts runs.
 * Checked with every script of the app refused (/_next/static/…js), so nothing fetched afterwards can fill
 * them in; React's few inline lines that put streamed parts in place still run, as in any browser.
 */
test.describe("without the app's scripts", () => {
  test.beforeEach(async ({ page }) => {
    await page.route('**/_next/static/**/*.js', (route) => route.abort());
  });

  test('the task list arrives with its rows', async ({ page }) => {
    await page.goto('/tasks');
    await expect(page.getByTestId('task-table').locator('tbody tr[data-task-id]')).toHaveCount(50);
    await expect(page.getByTestId('task-table').locator('tbody tr[data-task-id]').first()).toBeVisible();
    await expect(page.getByTestId('pagination')).toContainText('Rows 1–50');
  });

  test('a shared link with filters arrives with the rows those filters select', async ({ page }) => {
    const email = seededEmail(12_345);
    await page.goto(`/tasks?namespace=${SEEDED_TASKS.namespace}&name=${SEEDED_TASKS.name}&q=${encodeURIComponent(email)}`);
    const rows = page.getByTestId('task-table').locator('tbody tr[data-task-id]');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toBeVisible();
    await expect(rows.first()).toContainText(email);
    // The filter bar shows the filters it applied.
    await expect(page.getByRole('searchbox')).toHaveValue(email);
  });

  test('a task page arrives with its graph laid out and visible', async ({ page, api }) => {
    const task = await api.createTask('e2e_dashboard', 'two_hundred_steps', {});
    const detail = await api.getTask(task.id);
    const edges = detail.steps.reduce((sum, step) => sum + step.depends_on.length, 0);
    await page.goto(`/tasks/${task.id}`);
    const graph = page.getByTestId('task-graph');
    await expect(graph.locator('.react-flow__node')).toHaveCount(200);
    await expect(graph.locator('.react-flow__edge')).toHaveCount(edges);
    await expect(graph.locator('.react-flow__node[data-id="r09_s19"]')).toBeVisible();
    // Laid out: the nodes are not stacked at one place.
    const transforms = await graph
      .locator('.react-flow__node')
      .evaluateAll((nodes) => new Set(nodes.map((node) => (node as HTMLElement).style.transform)).size);
    expect(transforms).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(`#${task.id}`);
  });
});

test('a task list opened from the server goes live: a task created after it loaded appears', async ({ page, api, tasksPage }) => {
  await page.goto('/tasks?namespace=e2e_dashboard&name=two_hundred_steps');
  await expect(tasksPage.rows.first()).toBeVisible();
  const task = await api.createTask('e2e_dashboard', 'two_hundred_steps', {});
  // The list polls every 5 s from the rows the server gave it.
  await expect(tasksPage.rows.first()).toHaveAttribute('data-task-id', task.id, { timeout: 15_000 });
});
