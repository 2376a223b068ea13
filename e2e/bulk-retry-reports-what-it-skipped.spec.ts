import { expect, test } from './pages/test';

test('retrying selected tasks says how many were retried and how many were skipped, and why', async ({ page, request, api, tasksPage }) => {
  const batch = `skip${Date.now().toString(36)}`;
  const tasks = [];
  for (let index = 0; index < 4; index += 1) {
    tasks.push(await api.createTask('e2e_api', 'api_always_fails', { order_id: index + 1, run: batch }));
  }
  for (const task of tasks) {
    await api.waitForTaskStatus(task.id, 'error');
  }
  // One of the four is no longer in error by the time the operator retries the selection.
  const cancelled = await request.post(`/api/v1/tasks/${tasks[0]!.id}/cancel`, { data: { reason: 'test: not in error any more' } });
  expect(cancelled.ok(), await cancelled.text()).toBe(true);

  await tasksPage.goto(`?namespace=e2e_api&name=api_always_fails&q=${batch}`);
  await expect(tasksPage.rows).toHaveCount(4);
  await page.getByRole('checkbox', { name: 'Select every task on this page' }).check();
  await page.getByRole('button', { name: 'Retry selected (4)' }).click();

  const dialog = page.getByTestId('bulk-retry-dialog');
  await expect(dialog.getByTestId('bulk-retry-preview-summary')).toHaveText(
    '3 would be retried · 1 would be skipped: not in error, nothing to retry',
  );
  await dialog.getByRole('button', { name: 'Retry 3 tasks' }).click();
  await expect(dialog.getByTestId('bulk-retry-summary')).toHaveText('3 retried · 1 skipped: not in error, nothing to retry');
  await expect(dialog.getByTestId('bulk-retry-truncated')).toHaveCount(0);
});
