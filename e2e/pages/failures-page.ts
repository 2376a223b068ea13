import { expect, type Locator, type Page } from '@playwright/test';

/** The failures page: groups of tasks failing the same way. */
export class FailuresPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/failures');
    await expect(this.page.getByRole('heading', { name: 'Failures', level: 1 })).toBeVisible();
  }

  /** The group of a template's step, optionally narrowed to an error whose text contains `error`. */
  group({ template, step, error }: { template: string; step: string; error?: string }): Locator {
    const groups = this.page.locator(`[data-testid="failure-group"][data-template="${template}"][data-failing-step="${step}"]`);
    return error ? groups.filter({ hasText: error }) : groups;
  }
}
