import { expect, test } from './pages/test';

test('a failing step shows its error on its node without changing its size, and the timeline marks each outcome', async ({ page, api, taskPage }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 10, run: `node${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  await taskPage.goto(task.id);
  await expect(taskPage.step('charge').getByTestId('step-node-error')).toHaveText('test_permanent: card declined for order 4711');
  await expect(taskPage.step('reserve').getByTestId('step-node-error')).toHaveCount(0);
  // The box the layout assumes (layout-graph.ts: 188×76), with the error line inside it, not spilling out.
  const box = (step: string) =>
    taskPage.step(step).evaluate((node: HTMLElement) => ({ width: node.offsetWidth, height: node.offsetHeight, overflows: node.scrollHeight > node.clientHeight }));
  expect(await box('charge')).toEqual({ width: 188, height: 76, overflows: false });
  expect(await box('reserve')).toEqual({ width: 188, height: 76, overflows: false });

  const timeline = page.getByTestId('attempt-timeline');
  await expect(timeline.locator('.timeline-bar[data-cue="failed"] .timeline-marker svg').first()).toBeVisible();
  await expect(timeline.locator('.timeline-bar[data-cue="succeeded"] .timeline-marker svg').first()).toBeVisible();
  const legend = page.getByTestId('timeline-legend');
  await expect(legend.locator('li')).toHaveText([
    'attempt succeeded',
    'attempt failed, retried',
    'failed for good',
    'running',
    'waiting to retry',
    'stopped (cancelled, interrupted or repaired)',
  ]);
  await expect(legend.locator('li[data-cue="failed"] .timeline-marker svg')).toHaveCount(1);
});
