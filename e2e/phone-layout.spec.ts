import type { Page } from '@playwright/test';
import { expect, test } from './pages/test';

/** How far the page scrolls sideways: 0 when nothing is wider than the screen. */
async function sidewaysOverflow(page: Page): Promise<{ overflow: number; widest: string[] }> {
  return page.evaluate(() => {
    const scroller = document.scrollingElement!;
    const overflow = scroller.scrollWidth - window.innerWidth;
    // The elements that stick out, to say which when it fails.
    const widest = [...document.querySelectorAll<HTMLElement>('main *, nav *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((element) => !element.closest('.table-card, .table-scroll, .json-view, .react-flow, .cm-editor, .timeline-rows, pre'))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className} (right ${Math.round(element.getBoundingClientRect().right)})`);
    return { overflow, widest };
  });
}

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

test('at 390 px no page is wider than the screen: wide tables and graphs scroll inside their box', async ({ page, api }) => {
  test.setTimeout(120_000);
  const task = await api.createTask('e2e_api', 'api_always_fails', { order_id: 11, run: `phone${Date.now().toString(36)}` });
  await api.waitForTaskStatus(task.id, 'error');
  const pages: { path: string; ready: (page: Page) => Promise<void> }[] = [
    { path: '/', ready: (page) => expect(page.getByTestId('stat-failed')).toBeVisible() },
    { path: '/tasks', ready: (page) => expect(page.getByTestId('task-table')).toBeVisible() },
    {
      path: `/tasks/${task.id}?step=charge`,
      ready: (page) => expect(page.getByTestId('attempt-table').or(page.getByTestId('step-panel'))).toBeVisible(),
    },
    { path: `/tasks/${task.id}`, ready: (page) => expect(page.getByTestId('task-graph')).toBeVisible() },
    { path: '/failures', ready: (page) => expect(page.getByTestId('failure-groups').or(page.getByTestId('empty-state')).first()).toBeVisible() },
    { path: '/templates', ready: (page) => expect(page.getByTestId('template-table')).toBeVisible() },
    { path: '/templates/blog_examples/user_registration', ready: (page) => expect(page.getByTestId('template-yaml')).toBeVisible() },
    { path: '/templates/new', ready: (page) => expect(page.locator('.cm-editor').first()).toBeVisible() },
    { path: '/services', ready: (page) => expect(page.getByTestId('service-card').first()).toBeVisible() },
    { path: '/api-docs', ready: (page) => expect(page.getByTestId('api-routes')).toBeVisible() },
  ];
  const tooWide: string[] = [];
  for (const { path, ready } of pages) {
    await test.step(path, async () => {
      await page.goto(path);
      await ready(page);
      await page.waitForTimeout(300);
      const { overflow, widest } = await sidewaysOverflow(page);
      if (overflow > 0) {
        tooWide.push(`${path} scrolls sideways by ${overflow} px; wider than the screen: ${widest.join(', ')}`);
      }
      // The sidebar is folded into the menu: the page starts at the left edge.
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
      await page.screenshot({
        path: `e2e/screenshots/phone${path.split('?')[0]!.replaceAll('/', '-').replace(/-$/, '-overview')}.png`,
        fullPage: true,
      });
    });
  }
  expect(tooWide).toEqual([]);

  // A wide table scrolls inside its box.
  await page.goto('/tasks');
  const card = page.locator('.table-card').filter({ has: page.getByTestId('task-table') });
  // The rows arrive in the HTML; the table takes its full width once the page's script has run.
  await expect.poll(() => card.evaluate((element) => element.scrollWidth - element.clientWidth)).toBeGreaterThan(0);
  await card.evaluate((element) => element.scrollBy({ left: 200 }));
  expect(await card.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
  expect(await page.evaluate(() => window.scrollX)).toBe(0);

  await page.goto('/');
  await expect(page.getByTestId('stat-failed')).toBeVisible();
  await page.waitForTimeout(400);
  await page.screenshot({ path: 'docs/phone-layout.png' });
});

test('under 768 px the sidebar is a menu: it opens, lists every page, navigates and closes; Escape closes it too', async ({ page }) => {
  await page.goto('/tasks');
  const menu = page.getByRole('button', { name: 'Menu' });
  const navigation = page.getByRole('navigation', { name: 'Main' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(navigation).toBeHidden();

  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(navigation).toBeVisible();
  for (const name of ['Overview', 'Tasks', 'Failures', 'Templates', 'Services', 'API']) {
    await expect(navigation.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await expect(navigation.getByRole('link', { name: 'Tasks', exact: true })).toHaveAttribute('aria-current', 'page');
  await page.screenshot({ path: 'e2e/screenshots/phone-menu.png' });
  await navigation.getByRole('link', { name: 'Failures', exact: true }).click();
  await expect(page).toHaveURL(/\/failures$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(navigation).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');

  // By keyboard: Enter opens it, Escape closes it and gives focus back to the button.
  await menu.focus();
  await page.keyboard.press('Enter');
  await expect(navigation).toBeVisible();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Escape');
  await expect(navigation).toBeHidden();
  await expect(menu).toBeFocused();

  // At a laptop's width there is no menu button: the sidebar is always there.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(menu).toBeHidden();
  await expect(navigation).toBeVisible();
});
