import { expect, type Locator, type Page } from '@playwright/test';

/** The template studio of one template: the YAML editor with its problems and preview, versions, diff and "Try it". */
export class TemplateEditorPage {
  constructor(readonly page: Page) {}

  async goto(namespace: string, name: string, tab?: 'versions' | 'try') {
    await this.page.goto(`/templates/${namespace}/${name}${tab ? `?tab=${tab}` : ''}`);
    if (!tab) {
      await expect(this.editorContent).toBeVisible();
    }
  }

  get editorContent(): Locator {
    return this.page.getByTestId('yaml-editor-content');
  }

  get checkState(): Locator {
    return this.page.getByTestId('check-state');
  }

  get problems(): Locator {
    return this.page.getByTestId('template-problem');
  }

  problem(message: string | RegExp): Locator {
    return this.problems.filter({ hasText: message });
  }

  get preview(): Locator {
    return this.page.getByTestId('task-graph');
  }

  previewStep(name: string): Locator {
    return this.preview.locator(`.react-flow__node[data-id="${name}"]`);
  }

  get saveButton(): Locator {
    return this.page.getByTestId('save-template');
  }

  get versionInput(): Locator {
    return this.page.getByTestId('save-version');
  }

  /** The editor's lines as shown (a short template is drawn whole). */
  async visibleText(): Promise<string> {
    return (await this.editorContent.locator('.cm-line').allTextContents()).join('\n');
  }

  /** Replaces the text as a person would: select all, then type (inserted at once, so the editor does not auto-indent). */
  async replaceText(yaml: string) {
    await this.editorContent.click();
    await this.page.keyboard.press('ControlOrMeta+a');
    await this.page.keyboard.insertText(yaml);
  }

  /** Waits for the server's check of the current text. */
  async expectChecked(state: 'Valid' | RegExp) {
    await expect(this.checkState).toHaveText(state);
  }

  async save() {
    await expect(this.saveButton).toBeEnabled();
    await this.saveButton.click();
    await expect(this.page.getByTestId('save-result')).toBeVisible();
  }

  async openTab(name: 'Edit' | 'Versions' | 'Try it') {
    await this.page.getByRole('tab', { name }).click();
  }

  get diff(): Locator {
    return this.page.getByTestId('version-diff');
  }

  async compare(a: string, b: string) {
    await this.page.getByLabel('Version A').selectOption(a);
    await this.page.getByLabel('Version B').selectOption(b);
  }

  /** Diff rows that differ between A and B. */
  get changedRows(): Locator {
    return this.diff.locator('tr[data-kind]:not([data-kind="same"])');
  }

  get tryItForm(): Locator {
    return this.page.getByTestId('try-it-form');
  }

  field(pointer: string): Locator {
    return this.tryItForm.locator(`[data-pointer="${pointer}"]`);
  }

  async startTask(): Promise<string> {
    await this.page.getByTestId('start-task').click();
    await expect(this.page).toHaveURL(/\/tasks\/[^/?]+/);
    return new URL(this.page.url()).pathname.split('/').at(-1) ?? '';
  }
}
