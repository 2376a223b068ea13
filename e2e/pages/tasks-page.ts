import { expect, type Locator, type Page } from '@playwright/test';

/** The task list with its filters, selection and pagination. */
export class TasksPage {
  constructor(readonly page: Page) {}

  async goto(query = '') {
    await this.page.goto(`/tasks${query}`);
    await expect(this.page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  }

  get table(): Locator {
    return this.page.getByTestId('task-table');
  }

  get rows(): Locator {
    return this.table.locator('tbody tr');
  }

  get pagination(): Locator {
    return this.page.getByTestId('pagination');
  }

  get filters(): Locator {
    return this.page.getByTestId('task-filters');
  }

  /**
   * From the next navigation on, records the main thread's long tasks (over 50 ms, when the page
   * cannot answer input) and how long each key or input event took from the press to the next paint.
   */
  async recordResponsiveness() {
    await this.page.addInitScript(() => {
      const record = { longTasks: [] as number[], inputEvents: [] as { name: string; duration: number }[] };
      (window as unknown as { __responsiveness: typeof record }).__responsiveness = record;
      new PerformanceObserver((list) => record.longTasks.push(...list.getEntries().map((entry) => entry.duration))).observe({ type: 'longtask' });
      new PerformanceObserver((list) => record.inputEvents.push(...list.getEntries().map(({ name, duration }) => ({ name, duration })))).observe({
        type: 'event',
        durationThreshold: 16,
      } as PerformanceObserverInit);
    });
  }

  /** Since the last navigation: the longest main-thread task, and the slowest key or input event (0 when none took 16 ms). */
  async readResponsiveness(): Promise<{ longestTaskMs: number; slowestKeyMs: number; longTasks: number }> {
    return this.page.evaluate(() => {
      const record = (window as unknown as { __responsiveness: { longTasks: number[]; inputEvents: { name: string; duration: number }[] } })
        .__responsiveness;
      const keys = record.inputEvents.filter((event) => /^key|^input|^beforeinput/.test(event.name));
      return {
        longestTaskMs: Math.round(Math.max(0, ...record.longTasks)),
        slowestKeyMs: Math.round(Math.max(0, ...keys.map((event) => event.duration))),
        longTasks: record.longTasks.length,
      };
    });
  }

  /** The page's clock (ms since its navigation started), to time an action with waitForRows. */
  now(): Promise<number> {
    return this.page.evaluate(() => performance.now());
  }

  /**
   * Waits frame by frame until the table shows `count` rows, the pagination (if given) reads `rows`
   * (e.g. "Rows 51–100", not "Loading…"), every row contains `text`, and the first row is no longer
   * task `notFirst` (the page before); returns the page's clock then.
   */
  async waitForRows({ count, rows, text, notFirst }: { count: number; rows?: string; text?: string; notFirst?: string | null }): Promise<number> {
    const shown = await this.page.waitForFunction(
      ({ count, rows, text, notFirst }) => {
        const found = [...document.querySelectorAll('[data-testid="task-table"] tbody tr')];
        const pagination = document.querySelector('[data-testid="pagination"]')?.textContent ?? '';
        const isShown =
          found.length === count &&
          (rows === undefined || pagination.includes(rows)) &&
          (text === undefined || found.every((row) => row.textContent?.includes(text))) &&
          (notFirst === undefined || found[0]?.getAttribute('data-task-id') !== notFirst);
        return isShown ? performance.now() : 0;
      },
      { count, rows, text, notFirst },
      { polling: 'raf', timeout: 30_000 },
    );
    return await shown.jsonValue();
  }
}
