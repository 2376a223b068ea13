import { expect, test } from './pages/test';

test('a failing step shows its error on its node without changing its size, and the timeline marks each outcome', async ({ page, api, taskPage }) => {
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 10, run: `node${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  await taskPage.goto(task.id);
  await expect(taskPage.step('charge').getByTestId('step-node-error')).toHaveText('test_permanent: card declined for order 4711');
  await expect(taskPage.step('reserve').getByTestId('step-node-error')).toHaveCount(0);
  // The box the layout assumes (layout-graph.ts: 188×76), with every row whole inside it: no row's
  // content cut off by a squeezed row (rows clip what does not fit), and no row past the bottom border.
  const box = (step: string) =>
    taskPage.step(step).evaluate((node: HTMLElement) => {
      const nodeRect = node.getBoundingClientRect();
      const scale = nodeRect.height / node.offsetHeight;
      const innerBottom = nodeRect.top + (node.offsetHeight - 1) * scale;
      const rows = [...node.children].filter((child) => child instanceof HTMLElement && !child.classList.contains('react-flow__handle'));
      const rowsFit = rows.every((row) => {
        const rowRect = row.getBoundingClientRect();
        const partsInside = [...row.querySelectorAll('*')].every((part) => {
          const rect = part.getBoundingClientRect();
          return rect.height === 0 || (rect.top >= rowRect.top - 0.5 && rect.bottom <= rowRect.bottom + 0.5);
        });
        return partsInside && rowRect.bottom <= innerBottom + 0.5;
      });
      return { width: node.offsetWidth, height: node.offsetHeight, rowsFit };
    });
  expect(await box('charge')).toEqual({ width: 188, height: 76, rowsFit: true });
  expect(await box('reserve')).toEqual({ width: 188, height: 76, rowsFit: true });

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
