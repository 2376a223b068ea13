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
