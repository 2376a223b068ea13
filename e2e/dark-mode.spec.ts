import type { Page } from '@playwright/test';
import { expect, test } from './pages/test';

/** The page's background colour as rgb() channels, and whether it is dark (mean channel under 80). */
async function pageBackground(page: Page) {
  const colour = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const channels = (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  return { colour, dark: channels.reduce((sum, channel) => sum + channel, 0) / 3 < 80 };
}

test.describe('with the system set to dark', () => {
  test.use({ colorScheme: 'dark' });

  test('every part of a failed task reads in dark: the graph, the step panel, JSON and badges (screenshot for README)', async ({
    page,
    api,
    taskPage,
  }) => {
    const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 31, run: `dark${Date.now().toString(36)}` });
    await api.waitForTaskStatus(task.id, 'error');
    await taskPage.goto(task.id, 'charge');
    await expect(page.getByTestId('step-panel')).toBeVisible();
    expect((await pageBackground(page)).dark).toBe(true);
    // Text on panels is light, the graph's nodes are dark, a badge keeps its tone.
    const panelColours = await page.getByTestId('step-panel').evaluate((panel) => ({
      background: getComputedStyle(panel).backgroundColor,
      text: getComputedStyle(panel).color,
    }));
    expect(panelColours.background).not.toBe('rgb(255, 255, 255)');
    expect(panelColours.text).not.toBe('rgb(24, 33, 45)');
    const node = page.locator('.react-flow__node[data-id="reserve"] .step-node');
    expect(await node.evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe('rgb(255, 255, 255)');
    await page.waitForTimeout(400);
    await page.screenshot({ path: 'docs/dark-mode.png' });

    for (const path of ['/', '/tasks', '/failures', '/services', '/templates/blog_examples/user_registration', '/api-docs']) {
      await page.goto(path);
      await page.waitForTimeout(600);
      expect((await pageBackground(page)).dark, path).toBe(true);
      await page.screenshot({ path: `e2e/screenshots/dark${path === '/' ? '-overview' : path.replaceAll('/', '-')}.png`, fullPage: true });
    }
    // The YAML editor's text is light on dark.
    await page.goto('/templates/new');
    const editor = page.locator('.cm-editor').first();
    await expect(editor).toBeVisible();
    const editorBackground = await editor.evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(editorBackground).not.toBe('rgb(255, 255, 255)');
    await page.screenshot({ path: 'e2e/screenshots/dark-template-studio.png', fullPage: true });
  });

  test('the toggle overrides the system, is remembered across reloads with no light flash, and Auto follows the system again', async ({ page }) => {
    await page.goto('/');
    const toggle = page.getByTestId('theme-toggle');
    await expect(toggle.getByRole('button', { name: 'Auto' })).toHaveAttribute('aria-pressed', 'true');
    expect((await pageBackground(page)).dark).toBe(true);

    await toggle.getByRole('button', { name: 'Light' }).click();
    await expect(toggle.getByRole('button', { name: 'Light' })).toHaveAttribute('aria-pressed', 'true');
    expect((await pageBackground(page)).dark).toBe(false);

    // Reloaded: light from the first paint. The boot script in <head> sets the theme before the body is parsed.
    await page.reload({ waitUntil: 'commit' });
    await page.waitForFunction(() => document.body !== null);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.waitForLoadState('load');
    expect((await pageBackground(page)).dark).toBe(false);
    await expect(toggle.getByRole('button', { name: 'Light' })).toHaveAttribute('aria-pressed', 'true');

    await toggle.getByRole('button', { name: 'Auto' }).click();
    expect((await pageBackground(page)).dark).toBe(true);
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    expect((await pageBackground(page)).dark).toBe(true);
  });
});

test('with the system set to light, Dark is remembered and applied before the first paint', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  expect((await pageBackground(page)).dark).toBe(false);
  await page.getByTestId('theme-toggle').getByRole('button', { name: 'Dark' }).click();
  expect((await pageBackground(page)).dark).toBe(true);
  await page.reload({ waitUntil: 'commit' });
  await page.waitForFunction(() => document.body !== null);
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  await page.waitForLoadState('load');
  expect((await pageBackground(page)).dark).toBe(true);
  await page.getByTestId('theme-toggle').getByRole('button', { name: 'Auto' }).click();
});
