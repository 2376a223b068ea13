import { test as base } from '@playwright/test';
import { FailuresPage } from './failures-page';
import { SwitchyardApi } from './switchyard-api';
import { TaskPage } from './task-page';
import { TasksPage } from './tasks-page';

/** Page objects and the API helper, handed to each test through fixtures. */
export const test = base.extend<{ api: SwitchyardApi; taskPage: TaskPage; failuresPage: FailuresPage; tasksPage: TasksPage }>({
  api: async ({ request }, provide) => {
    await provide(new SwitchyardApi(request));
  },
  taskPage: async ({ page }, provide) => {
    await provide(new TaskPage(page));
  },
  failuresPage: async ({ page }, provide) => {
    await provide(new FailuresPage(page));
  },
  tasksPage: async ({ page }, provide) => {
    await provide(new TasksPage(page));
  },
});

export { expect } from '@playwright/test';
