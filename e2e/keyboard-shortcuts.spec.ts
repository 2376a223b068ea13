import { expect, test } from './pages/test';

test('from the task list to a step and back by keyboard: j/k pick a row, Enter opens it, Escape closes the step, Back returns to the same row', async ({
  page,
  api,
}) => {
  const run = `kbd${Date.now().toString(36)}`;
  const older = await api.createTask('e2e_api', 'api_always_fails', { order_id: 21, run: `${run}-a` });
  const newer = await api.createTask('e2e_api', 'api_always_fails', { order_id: 22, run: `${run}-b` });
  await api.waitForTaskStatus(older.id, 'error');
  await api.waitForTaskStatus(newer.id, 'error');

  await page.goto(`/tasks?q=${run}`);
  const rows = page.getByTestId('task-table').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  // The skip link is the first Tab stop and lands on the page, past the navigation.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
  // It adds no #main entry to the history, which Back would then stop at.
  await expect(page).toHaveURL(new RegExp(`/tasks\\?q=${run}$`));

  await page.keyboard.press('j');
  await expect(rows.nth(0)).toBeFocused();
  await page.keyboard.press('j');
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press('j');
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press('k');
  await expect(rows.nth(0)).toBeFocused();
  await page.keyboard.press('j');
  await expect(rows.nth(1)).toHaveAttribute('data-task-id', older.id);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/tasks/${older.id}$`));

  // Tab into the graph, Enter opens the focused step; Escape closes it and focus stays on that step.
  const charge = page.locator('.react-flow__node[data-id="charge"]');
  await expect(charge).toBeVisible();
  await charge.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/tasks/${older.id}\\?step=charge$`));
  const panel = page.getByTestId('step-panel');
  await expect(panel.getByRole('heading', { name: 'charge' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`/tasks/${older.id}$`));
  await expect(charge).toBeFocused();

  // The panel's × gives focus back to its step too.
  await page.keyboard.press('Enter');
  await panel.getByRole('button', { name: 'Close the step panel' }).click();
  await expect(panel).toBeHidden();
  await expect(charge).toBeFocused();

  // Back through the step's openings and closings (each is an address), to the task list: on the row that was opened.
  for (let back = 0; back < 5; back += 1) {
    await page.goBack();
  }
  await expect(page).toHaveURL(new RegExp(`/tasks\\?q=${run}$`));
  await expect(rows.nth(1)).toBeFocused();
  await expect(rows.nth(1)).toHaveAttribute('data-task-id', older.id);
});

test('? lists the shortcuts; / searches, g t and g f go to tasks and failures; nothing fires while typing in a field', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('stat-failed')).toBeVisible();

  await page.keyboard.press('?');
  const dialog = page.getByTestId('shortcuts-dialog');
  await expect(dialog.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeVisible();
  for (const description of ['Search tasks', 'Go to Tasks', 'Go to Failures', 'Next row', 'Previous row', 'Show this list']) {
    await expect(dialog.getByRole('row').filter({ hasText: description })).toHaveCount(1);
  }
  await expect(dialog.getByRole('row').filter({ hasText: 'Go to Tasks' }).locator('kbd')).toHaveText(['g', 't']);
  // A key pressed while the dialog is open does nothing but what the dialog does.
  await page.keyboard.press('g');
  await page.keyboard.press('t');
  await expect(page).toHaveURL(/\/$/);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // The sidebar offers the same list, for those who don't know to press ?.
  await page.getByRole('button', { name: /Keyboard shortcuts/ }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.keyboard.press('g');
  await page.keyboard.press('f');
  await expect(page).toHaveURL(/\/failures$/);
  await page.keyboard.press('g');
  await page.keyboard.press('t');
  await expect(page).toHaveURL(/\/tasks$/);

  // / focuses the page's search field; typing there is typing, not shortcuts.
  await expect(page.getByTestId('task-table')).toBeVisible();
  await page.keyboard.press('/');
  const search = page.getByRole('searchbox');
  await expect(search).toBeFocused();
  await page.keyboard.type('g f j k ?');
  await expect(search).toHaveValue('g f j k ?');
  await expect(page).toHaveURL(/\/tasks$/);
  await expect(page.getByTestId('shortcuts-dialog')).toBeHidden();

  // From a page without a search field, / goes to the task list's.
  await page.goto('/services');
  await expect(page.getByTestId('service-card').first()).toBeVisible();
  await page.keyboard.press('/');
  await expect(page).toHaveURL(/\/tasks$/);
  await expect(page.getByRole('searchbox')).toBeFocused();
});

test('on Failures, j and k move between failure groups and Enter opens the group’s tasks', async ({ page, api }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 23, run: `kbdf${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  await page.goto('/failures');
  const groups = page.getByTestId('failure-group');
  await expect(groups.first()).toBeVisible();
  await page.keyboard.press('j');
  await expect(groups.first()).toBeFocused();
  if ((await groups.count()) > 1) {
    await page.keyboard.press('j');
    await expect(groups.nth(1)).toBeFocused();
    await page.keyboard.press('k');
    await expect(groups.first()).toBeFocused();
  }
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/tasks\?/);
  await expect(page.getByTestId('task-table')).toBeVisible();
});
