import { expect, type Locator, type Page } from '@playwright/test';

/** The task page: the live DAG, the step panel and the context editor. */
export class TaskPage {
  constructor(readonly page: Page) {}

  async goto(taskId: string, step?: string) {
    await this.page.goto(`/tasks/${taskId}${step ? `?step=${encodeURIComponent(step)}` : ''}`);
    await expect(this.graph).toBeVisible();
  }

  get graph(): Locator {
    return this.page.getByTestId('task-graph');
  }

  step(name: string): Locator {
    return this.graph.locator(`[data-step="${name}"]`);
  }

  /**
   * Waits frame by frame until the graph is drawn: `steps` nodes shown (not hidden for measuring) and
   * `edges` edges. Times are read on the page's clock, in ms since its navigation started: when it was
   * drawn, when the task's JSON had arrived, and when the layout started and how long it took (the
   * graph's User Timing measure; none when the layout of this shape was already known).
   */
  async waitForGraphDrawn(taskPath: string, { steps, edges }: { steps: number; edges: number }) {
    const drawn = await this.page.waitForFunction(
      ({ steps, edges }) => {
        const graph = document.querySelector('[data-testid="task-graph"]');
        const nodes = graph ? [...graph.querySelectorAll<HTMLElement>('.react-flow__node')] : [];
        const isDrawn =
          nodes.length === steps &&
          nodes.every((node) => node.style.visibility !== 'hidden') &&
          graph?.querySelectorAll('.react-flow__edge').length === edges;
        return isDrawn ? performance.now() : 0;
      },
      { steps, edges },
      { polling: 'raf', timeout: 30_000 },
    );
    const drawnAt = await drawn.jsonValue();
    const { jsonAt, layout } = await this.page.evaluate((taskPath) => {
      const json = performance.getEntriesByType('resource').find((entry) => new URL(entry.name).pathname === taskPath) as
        PerformanceResourceTiming | undefined;
      const measure = performance.getEntriesByName('task-graph layout', 'measure')[0];
      return { jsonAt: json?.responseEnd, layout: measure && { startTime: measure.startTime, duration: measure.duration } };
    }, taskPath);
    return { drawnAt, jsonAt, layout };
  }

  /** Where a step's node is drawn (its transform in the flow), to check the layout does not move. */
  async stepPosition(name: string): Promise<string | null> {
    return this.graph
      .locator(`.react-flow__node[data-id="${name}"]`)
      .getAttribute('style')
      .then((style) => /transform:[^;]+/.exec(style ?? '')?.[0] ?? null);
  }

  async expectStepStatus(name: string, status: string, timeout = 20_000) {
    await expect(this.step(name)).toHaveAttribute('data-status', status, { timeout });
  }

  async openStep(name: string) {
    await this.step(name).click();
    await expect(this.page).toHaveURL(new RegExp(`[?&]step=${name}`));
    await expect(this.panel.getByRole('heading', { name })).toBeVisible();
  }

  get panel(): Locator {
    return this.page.getByTestId('step-panel');
  }

  /** "live" while the task's Server-Sent Events stream is open; its `data-connection` says how the page gets updates. */
  get liveIndicator(): Locator {
    return this.page.getByTestId('live-indicator');
  }

  async expectStreamOpen() {
    await expect(this.liveIndicator).toHaveAttribute('data-connection', 'open');
  }

  /**
   * From now on, notes on the page's clock (wall time, ms) when each step was first drawn in each
   * status, and when a button was clicked, by its text: read them with `readStatusTimes`.
   */
  async recordStatusTimes() {
    await this.page.evaluate(() => {
      const seen: Record<string, number> = {};
      const clicks: Record<string, number> = {};
      const now = () => performance.timeOrigin + performance.now();
      const note = () => {
        for (const node of document.querySelectorAll<HTMLElement>('[data-testid="task-graph"] [data-step]')) {
          const key = `${node.dataset.step}:${node.dataset.status}`;
          seen[key] ??= now();
        }
      };
      note();
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
      document.addEventListener(
        'click',
        (event) => {
          const button = (event.target as Element | null)?.closest('button');
          if (button?.textContent) {
            clicks[button.textContent.trim()] ??= now();
          }
        },
        true,
      );
      (window as unknown as { __switchyardTimes?: unknown }).__switchyardTimes = { seen, clicks };
    });
  }

  async readStatusTimes(): Promise<{ seen: Record<string, number>; clicks: Record<string, number> }> {
    return this.page.evaluate(
      () => (window as unknown as { __switchyardTimes: { seen: Record<string, number>; clicks: Record<string, number> } }).__switchyardTimes,
    );
  }

  /** Marks the window so a later check can prove the page was never reloaded. */
  async markWindow() {
    await this.page.evaluate(() => {
      (window as unknown as { __switchyardMark?: boolean }).__switchyardMark = true;
    });
  }

  async expectSameWindow() {
    expect(await this.page.evaluate(() => (window as unknown as { __switchyardMark?: boolean }).__switchyardMark)).toBe(true);
  }
}
