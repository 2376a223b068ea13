import fs from 'node:fs';
import path from 'node:path';
import type { TaskDetail } from '../lib/api/types';
import { TemplateEditorPage } from './pages/template-editor-page';
import { test as base, expect } from './pages/test';

/**
 * Issue 17: Tasker's blog example (user registration, as Tasker wrote it) pasted into the studio shows
 * what was mapped and what has no effect here beside its lines, is saved as a version, and runs to complete.
 */
const test = base.extend<{ editor: TemplateEditorPage }>({
  editor: async ({ page }, provide) => {
    await provide(new TemplateEditorPage(page));
  },
});

// The e2e server already holds our own blog_examples/user_registration 1.1.0, which other specs expect to be
// the only version: Tasker's file goes to a namespace of its own, byte for byte otherwise.
const BLOG = fs
  .readFileSync(path.resolve('lib/templates/fixtures/tasker/user_registration_handler.yaml'), 'utf8')
  .replace('namespace_name: blog_examples', 'namespace_name: tasker_import');
const SCREENSHOTS = path.resolve('e2e/screenshots');

/** The 1-based line of the first line of the blog example that contains `needle`. */
function lineOf(needle: string): number {
  const index = BLOG.split('\n').findIndex((line) => line.includes(needle));
  expect(index, `no line contains ${needle}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

test("Tasker's blog example pasted in the studio: notices beside their lines, saved, tried, complete", async ({ page, editor, api }) => {
  await page.goto('/templates/new');
  await editor.expectChecked('Valid');
  await editor.replaceText(BLOG);
  await editor.expectChecked('Valid');
  await expect(editor.problems).toHaveCount(0);

  // What was mapped, and what has no effect here, each at its line.
  const notices = page.getByTestId('template-notice');
  const notice = (notePath: string) => notices.and(page.locator(`[data-path="${notePath}"]`));
  await expect(notice('/task_handler_class')).toHaveAttribute('data-kind', 'no_effect');
  await expect(notice('/task_handler_class')).toHaveAttribute('data-line', String(lineOf('task_handler_class:')));
  await expect(notice('/task_handler_class')).toContainText('accepted, has no effect here');
  await expect(notice('/step_templates/0/handler_class')).toHaveAttribute('data-kind', 'mapped');
  await expect(notice('/step_templates/0/handler_class')).toHaveAttribute('data-line', String(lineOf('CreateUserAccountHandler')));
  await expect(notice('/step_templates/0/handler_class')).toContainText(
    "BlogExamples::Post03::StepHandlers::CreateUserAccountHandler → handler 'registration.create_user_account'",
  );
  await expect(notice('/step_templates/0/handler_config/url')).toContainText("calls service 'user', which answers for https://api.userservice.com");
  await expect(notice('/custom_events')).toHaveAttribute('data-kind', 'no_effect');
  await expect(page.getByTestId('diagnostic-legend')).toContainText('0 problems');
  await expect(page.getByTestId('diagnostic-legend')).toContainText('3 with no effect here');

  // Beside their lines in the editor, in other colours than problems: no effect a warning, mapped info.
  const line = (text: string) => editor.editorContent.locator('.cm-line').filter({ hasText: text });
  await expect(line('task_handler_class:').locator('.cm-lintRange-warning')).toHaveCount(1);
  await expect(line('CreateUserAccountHandler').locator('.cm-lintRange-info')).toHaveCount(1);
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(0);
  await expect(page.locator('.cm-lint-marker-warning').first()).toBeVisible();

  // A notice is a button: Enter on it puts the cursor on its line.
  await notice('/step_templates/0/handler_class').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.cm-activeLine')).toContainText('CreateUserAccountHandler');
  await expect(page.locator('.cm-lint-marker-info').first()).toBeVisible();
  // The top of the file for the README's picture (docs/tasker-import.png): its keys with no effect here.
  await notice('/task_handler_class').click();
  await expect(page.locator('.cm-activeLine')).toContainText('task_handler_class');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'tasker-import.png'), fullPage: true });

  // Saved as a Switchyard version, as written.
  await expect(editor.versionInput).toHaveValue('1.1.0');
  await editor.saveButton.click();
  await expect(page).toHaveURL(/\/templates\/tasker_import\/user_registration$/);
  const saved = (await (await page.request.get('/api/v1/templates/tasker_import/user_registration/1.1.0')).json()) as { yaml: string };
  expect(saved.yaml).toBe(BLOG);

  // Try it: a registration from the saved version runs against the demo services to complete.
  await editor.openTab('Try it');
  await expect(editor.tryItForm).toBeVisible();
  await editor
    .field('/user_info/email')
    .locator('input')
    .fill(`tasker-${Date.now().toString(36)}@example.com`);
  await editor.field('/user_info/name').locator('input').fill('Tasker');
  const taskId = await editor.startTask();
  const task: TaskDetail = await api.waitForTaskStatus(taskId, 'complete', 30_000);
  expect(task).toMatchObject({ namespace: 'tasker_import', name: 'user_registration', version: '1.1.0' });
});

test('a file that is not a template is refused with why, and the draft is kept', async ({ page, editor }) => {
  await page.goto('/templates/new');
  await editor.expectChecked('Valid');
  const before = await editor.visibleText();
  await page.getByTestId('import-file').setInputFiles({ name: 'empty.yaml', mimeType: 'application/yaml', buffer: Buffer.from('  \n') });
  await expect(page.getByTestId('import-error')).toHaveText('Could not import: empty.yaml is empty');
  expect(await editor.visibleText()).toBe(before);

  // A file chosen with the button replaces the draft and is checked like typed text.
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'user_registration_handler.yaml', mimeType: 'application/yaml', buffer: Buffer.from(BLOG) });
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  await editor.expectChecked('Valid');
  await expect(page.getByTestId('imported-from')).toHaveText('Imported user_registration_handler.yaml.');
  await expect(page.getByTestId('template-notice').first()).toBeVisible();
});
