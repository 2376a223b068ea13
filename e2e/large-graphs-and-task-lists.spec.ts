import { expect, test } from './pages/test';

test('a 200-step task renders its whole DAG', async ({ page, api, taskPage }) => {
  const task = await api.createTask('e2e_dashboard', 'two_hundred_steps', {});
  const started = Date.now();
  const detailArrived = page
    .waitForResponse((response) => new URL(response.url()).pathname === `/api/v1/tasks/${task.id}` && response.ok())
    .then(() => Date.now());
  await page.goto(`/tasks/${task.id}`);
  await expect(taskPage.graph.locator('[data-step]')).toHaveCount(200);
  const done = Date.now();
  test.info().annotations.push(
    { type: '200-step DAG: navigation to 200 nodes in the DOM', description: `${done - started} ms` },
    { type: '200-step DAG: task JSON received to 200 nodes drawn (layout + render)', description: `${done - (await detailArrived)} ms` },
  );
  await expect(taskPage.step('r09_s19')).toBeAttached();
  await api.waitForTaskStatus(task.id, 'complete', 60_000);
  await taskPage.expectStepStatus('r09_s19', 'complete');
  await page.screenshot({ path: 'e2e/screenshots/task-200-steps.png' });

  // The template page draws the same DAG without statuses.
  const templateStarted = Date.now();
  await page.goto('/templates/e2e_dashboard/two_hundred_steps');
  await expect(page.getByTestId('task-graph').locator('[data-step]')).toHaveCount(200);
  test.info().annotations.push({ type: 'render time of the 200-step template DAG', description: `${Date.now() - templateStarted} ms` });
});

test('the task list pages and filters thousands of tasks', async ({ page, api, tasksPage, request }) => {
  test.setTimeout(240_000);
  const batch = `many${Date.now().toString(36)}`;
  const total = 3000;
  const seedStarted = Date.now();
  for (let start = 0; start < total; start += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, total - start) }, (_, offset) =>
        request
          .post('/api/v1/tasks', {
            data: { namespace: 'e2e_dashboard', name: 'many_tasks', context: { item: { email: `${batch}-${start + offset}@example.com`, batch } } },
          })
          .then(async (response) => expect(response.status(), await response.text()).toBeLessThan(300)),
      ),
    );
  }
  test.info().annotations.push({ type: 'seeded tasks', description: `${total} tasks in ${Date.now() - seedStarted} ms` });

  let loadStarted = Date.now();
  await tasksPage.goto(`?namespace=e2e_dashboard&name=many_tasks&q=${batch}`);
  await expect(tasksPage.rows).toHaveCount(50);
  test.info().annotations.push({ type: 'first page of 3000 tasks', description: `${Date.now() - loadStarted} ms` });
  await expect(tasksPage.pagination).toContainText('Rows 1–50');

  const firstPageFirst = await tasksPage.rows.first().getAttribute('data-task-id');
  loadStarted = Date.now();
  await tasksPage.pagination.getByRole('button', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(tasksPage.pagination).toContainText('Rows 51–100');
  await expect(tasksPage.rows.first()).not.toHaveAttribute('data-task-id', firstPageFirst!);
  await expect(tasksPage.rows).toHaveCount(50);
  test.info().annotations.push({ type: 'next page', description: `${Date.now() - loadStarted} ms` });
  // Newest first: the second page starts 50 tasks further back.
  const secondPageFirst = Number(await tasksPage.rows.first().getAttribute('data-task-id'));
  expect(secondPageFirst).toBeLessThan(Number(firstPageFirst));
  await tasksPage.pagination.getByRole('button', { name: '← Previous' }).click();
  await expect(tasksPage.pagination).toContainText('Rows 1–50');
  await expect(tasksPage.rows.first()).toHaveAttribute('data-task-id', firstPageFirst!);

  // Text search narrows to one task, and the filter is in the URL.
  loadStarted = Date.now();
  const search = tasksPage.filters.getByRole('searchbox');
  await search.fill(`${batch}-1234@example.com`);
  await search.press('Enter');
  await expect(page).toHaveURL(new RegExp(`q=${batch}-1234%40example.com`));
  await expect(tasksPage.rows).toHaveCount(1);
  await expect(tasksPage.rows.first()).toContainText(`${batch}-1234@example.com`);
  test.info().annotations.push({ type: 'search by e-mail among 3000', description: `${Date.now() - loadStarted} ms` });

  // A status filter from the select, kept in the URL: a link to share.
  await tasksPage.goto(`?namespace=e2e_dashboard&name=many_tasks&q=${batch}`);
  await tasksPage.filters.locator('select[name="status"]').selectOption('error');
  await expect(page).toHaveURL(/status=error/);
  await expect(page.getByTestId('empty-state')).toContainText('No task matches these filters');
  await expect.poll(() => api.countTasks({ q: batch, status: 'complete' }), { timeout: 120_000 }).toBe(total);
});
