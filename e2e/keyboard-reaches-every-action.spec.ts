import { expect, test } from './pages/test';

test('on the template list, Tab reaches the tasks and failed links of a row, and the arrow keys move between rows', async ({ page, api }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 5, run: `keys${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  await page.goto('/templates');
  const row = page.locator('[data-testid="template-row"][data-namespace="e2e_api"][data-name="api_always_fails"]');
  await row.focus();
  await page.keyboard.press('Tab');
  await expect(row.getByRole('link', { name: /tasks of e2e_api\/api_always_fails$/ })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(row.getByRole('link', { name: /^Tasks in error of e2e_api\/api_always_fails/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/tasks\?status=error&namespace=e2e_api&name=api_always_fails/);

  await page.goto('/templates');
  await row.focus();
  await page.keyboard.press('ArrowDown');
  const focused = page.locator('[data-testid="template-row"]:focus');
  await expect(focused).toHaveCount(1);
  await expect(row).not.toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(row).toBeFocused();
});

test('in a JSON editor Tab indents, and Escape then Tab moves focus on, as the hint under it says', async ({ page, api, taskPage }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 6, run: `json${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  await taskPage.goto(task.id, 'charge');
  await taskPage.panel.getByRole('button', { name: 'Resolve with results…' }).click();
  const form = taskPage.panel.getByTestId('resolve-form');
  const editor = form.getByTestId('resolve-results');
  await expect(form.getByTestId('resolve-results-keys')).toContainText('To leave the editor, press Esc then Tab');

  await editor.fill('{}');
  await editor.press('Tab');
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue('{}  ');

  await page.keyboard.press('Escape');
  await expect(form.getByTestId('resolve-results-keys')).toContainText('Tab now moves to the next field');
  await page.keyboard.press('Tab');
  await expect(editor).not.toBeFocused();
  await expect(form.getByRole('button', { name: 'Resolve step' })).toBeFocused();
  await expect(editor).toHaveValue('{}  ');
});

test('in the context dialog, the first Escape in the editor keeps the dialog open; a second one closes it', async ({ page, api, taskPage }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 9, run: `dialog${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  await taskPage.goto(task.id);
  await page.getByRole('button', { name: 'Edit context and retry…' }).first().click();
  const dialog = page.getByTestId('context-editor');
  const editor = dialog.getByTestId('context-json');
  await editor.focus();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(editor).not.toBeFocused();
  await expect(dialog).toBeVisible();

  await editor.focus();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
