import fs from 'node:fs';
import path from 'node:path';
import type { Route } from '@playwright/test';
import { E2E_DATA_DIR } from '../playwright.config';
import { SEED_REPORT_FILE, SEEDED_TASKS, seededEmail, type SeedReport } from './pages/seeded-tasks';
import { expect, test } from './pages/test';

const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${Math.round(value)} ms`);

test('a 200-step task renders its whole DAG', async ({ page, api, taskPage }) => {
  const task = await api.createTask('e2e_dashboard', 'two_hundred_steps', {});
  const detail = await api.getTask(task.id);
  const edges = detail.steps.reduce((sum, step) => sum + step.depends_on.length, 0);
  await page.goto(`/tasks/${task.id}`, { waitUntil: 'commit' });
  // Times on the page's clock, from the start of the navigation: not Playwright's polling.
  const drawn = await taskPage.waitForGraphDrawn(`/api/v1/tasks/${task.id}`, { steps: 200, edges });
  test.info().annotations.push(
    { type: '200-step DAG: navigation to 200 nodes and their edges drawn', description: ms(drawn.drawnAt) },
    { type: '200-step DAG: task JSON received, after navigation', description: ms(drawn.jsonAt) },
    {
      type: '200-step DAG: graph work, layout start to drawn (layout + render)',
      description: ms(drawn.layout && drawn.drawnAt - drawn.layout.startTime),
    },
    { type: '200-step DAG: of which the layout (dagre)', description: ms(drawn.layout?.duration) },
  );
  await expect(taskPage.step('r09_s19')).toBeAttached();
  const positionWhileRunning = await taskPage.stepPosition('r05_s10');
  await api.waitForTaskStatus(task.id, 'complete', 60_000);
  await taskPage.expectStepStatus('r09_s19', 'complete');
  // Statuses changed live; the layout did not move.
  expect(await taskPage.stepPosition('r05_s10')).toBe(positionWhileRunning);
  await page.screenshot({ path: 'e2e/screenshots/task-200-steps.png' });

  // The template page draws the same DAG without statuses.
  await page.goto('/templates/e2e_dashboard/two_hundred_steps', { waitUntil: 'commit' });
  const template = await taskPage.waitForGraphDrawn('/api/v1/templates/e2e_dashboard/two_hundred_steps', { steps: 200, edges });
  test.info().annotations.push({ type: '200-step template DAG: navigation to drawn', description: ms(template.drawnAt) });
});

test('the task list stays responsive with 100,000 tasks in the database', async ({ page, tasksPage }) => {
  const seed = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, SEED_REPORT_FILE), 'utf8')) as SeedReport;
  test.info().annotations.push({
    type: 'seeded before the server started (scripts/seed-e2e-data.ts)',
    description: `${seed.tasks} tasks, ${seed.transitions} transitions in ${seed.seedSeconds} s (${seed.totalSeconds} s with initdb and migrations)`,
  });
  expect(seed.tasks).toBe(SEEDED_TASKS.count);
  await tasksPage.recordResponsiveness();
  const batch = `?namespace=${SEEDED_TASKS.namespace}&name=${SEEDED_TASKS.name}&q=${SEEDED_TASKS.batch}`;
  const time = (type: string, started: number, done: number) => test.info().annotations.push({ type, description: ms(done - started) });

  // First page: navigation to 50 rows shown (page clock from the start of the navigation).
  await page.goto(`/tasks${batch}`, { waitUntil: 'commit' });
  time('100k tasks: first page, navigation to 50 rows', 0, await tasksPage.waitForRows({ count: 50, rows: 'Rows 1–50' }));
  const firstPageFirst = await tasksPage.rows.first().getAttribute('data-task-id');

  // Next page, by keyset cursor.
  let started = await tasksPage.now();
  await tasksPage.pagination.getByRole('button', { name: 'Next →' }).click();
  time('100k tasks: next page (cursor)', started, await tasksPage.waitForRows({ count: 50, rows: 'Rows 51–100', notFirst: firstPageFirst }));
  await expect(page).toHaveURL(/cursor=/);
  // Newest first: the second page starts 50 tasks further back.
  expect(Number(await tasksPage.rows.first().getAttribute('data-task-id'))).toBe(Number(firstPageFirst) - 50);

  const secondPageFirst = await tasksPage.rows.first().getAttribute('data-task-id');
  started = await tasksPage.now();
  await tasksPage.pagination.getByRole('button', { name: '← Previous' }).click();
  time('100k tasks: previous page', started, await tasksPage.waitForRows({ count: 50, rows: 'Rows 1–50', notFirst: secondPageFirst }));
  await expect(tasksPage.rows.first()).toHaveAttribute('data-task-id', firstPageFirst!);

  // Text search finds one e-mail among 100,000, and the filter is in the URL.
  const email = seededEmail(54_321);
  const search = tasksPage.filters.getByRole('searchbox');
  await search.fill(email);
  started = await tasksPage.now();
  await search.press('Enter');
  time('100k tasks: search by one e-mail', started, await tasksPage.waitForRows({ count: 1, text: email }));
  await expect(page).toHaveURL(new RegExp(`q=${email.replace('@', '%40')}`));

  // A status filter from the select (1% of the seeded tasks are cancelled), kept in the URL: a link to share.
  await page.goto(`/tasks${batch}`);
  await tasksPage.waitForRows({ count: 50, rows: 'Rows 1–50' });
  started = await tasksPage.now();
  await tasksPage.filters.locator('select[name="status"]').selectOption('cancelled');
  time(
    '100k tasks: status filter (cancelled, 1,000 of them)',
    started,
    await tasksPage.waitForRows({ count: 50, rows: 'Rows 1–50', text: 'cancelled' }),
  );
  await expect(page).toHaveURL(/status=cancelled/);
  await expect(tasksPage.rows.locator('[data-status]').first()).toHaveAttribute('data-status', 'cancelled');

  // Responsive while a list loads: the answer is held back while someone types in the search box.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const holdList = async (route: Route) => {
    await held;
    await route.continue();
  };
  const isTaskList = (url: URL) => url.pathname === '/api/v1/tasks';
  await page.route(isTaskList, holdList);
  await tasksPage.filters.locator('select[name="status"]').selectOption('complete');
  await expect(page.locator('.table-card[aria-busy="true"]')).toBeVisible();
  await search.clear();
  await search.pressSequentially('seeded-4242', { delay: 20 });
  await expect(search).toHaveValue('seeded-4242');
  await expect(page.locator('.table-card[aria-busy="true"]')).toBeVisible();
  release();
  await tasksPage.waitForRows({ count: 50, rows: 'Rows 1–50', text: 'complete' });
  await page.unroute(isTaskList, holdList);
  const responsiveness = await tasksPage.readResponsiveness();
  test.info().annotations.push({
    type: '100k tasks: responsiveness on the last list page',
    description: `slowest key press to paint ${responsiveness.slowestKeyMs ? ms(responsiveness.slowestKeyMs) : 'under 16 ms'}; longest main-thread task ${ms(responsiveness.longestTaskMs)} (${responsiveness.longTasks} over 50 ms)`,
  });
});
