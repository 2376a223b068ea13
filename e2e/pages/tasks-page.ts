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
}
