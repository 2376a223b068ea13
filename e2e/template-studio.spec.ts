import fs from 'node:fs';
import path from 'node:path';
import { NEW_TEMPLATE_SKELETON, withTemplateVersion } from '../components/template-editor/template-yaml';
import type { TemplateDetail, TemplateValidationResult } from '../lib/api/types';
import { TemplateEditorPage } from './pages/template-editor-page';
import { test as base, expect } from './pages/test';

/** The template studio: studio/studio_demo is this spec's own fixture (e2e/fixtures/templates/studio_demo.yaml). */
const test = base.extend<{ editor: TemplateEditorPage }>({
  editor: async ({ page }, provide) => {
    await provide(new TemplateEditorPage(page));
  },
});

const FIXTURE = fs.readFileSync(path.resolve('e2e/fixtures/templates/studio_demo.yaml'), 'utf8');
const SCREENSHOTS = path.resolve('e2e/screenshots');

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  expect(index, `no line contains ${needle}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

function nextPatch(version: string): string {
  const [major, minor, patch] = version.split('.').map(Number);
  return `${major}.${minor}.${(patch ?? 0) + 1}`;
}

test('a cycle is shown at its line and in the preview, refused, then fixed, saved, diffed and tried on the new version', async ({
  page,
  editor,
  api,
  request,
  taskPage,
}) => {
  const before = (await (await request.get('/api/v1/templates/studio/studio_demo')).json()) as TemplateDetail;
  const newest = before.version ?? '1.0.0';
  const next = nextPatch(newest);
  // A task started before the change keeps the version it started with.
  const earlier = await api.createTask('studio', 'studio_demo', { customer: { email: 'earlier@example.com' } });
  expect(earlier.version).toBe(newest);

  await editor.goto('studio', 'studio_demo');
  await editor.expectChecked('Valid');
  await expect(editor.versionInput).toHaveValue(next);
  const start = withTemplateVersion(FIXTURE, next);
  expect((await editor.visibleText()).trimEnd()).toBe(start.trimEnd());

  // fetch_order now waits for send_receipt: fetch_order → charge_card → send_receipt → fetch_order.
  const withCycle = start.replace(
    '  - name: fetch_order\n    handler: test.noop\n',
    '  - name: fetch_order\n    handler: test.noop\n    depends_on_steps: [send_receipt]\n',
  );
  await editor.replaceText(withCycle);
  const cycleProblem = editor.problem('cycle: fetch_order → charge_card → send_receipt → fetch_order');
  await expect(cycleProblem).toHaveCount(1);
  await expect(cycleProblem).toHaveAttribute('data-line', String(lineOf(withCycle, 'depends_on_steps: [send_receipt]')));
  await expect(cycleProblem).toContainText(`line ${lineOf(withCycle, 'depends_on_steps: [send_receipt]')}`);
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(1);
  await expect(page.getByTestId('preview-cycle')).toHaveText('Cycle: fetch_order → charge_card → send_receipt → fetch_order');
  for (const step of ['fetch_order', 'charge_card', 'send_receipt']) {
    await expect(editor.previewStep(step)).toHaveClass(/in-cycle/);
  }
  await expect(editor.preview.locator('.react-flow__edge.edge-cycle')).toHaveCount(3);
  await expect(editor.saveButton).toBeDisabled();
  await expect(page.getByTestId('save-refused')).toBeVisible();

  // Clicking the problem puts the cursor on its line.
  await cycleProblem.click();
  await expect(page.locator('.cm-activeLine')).toContainText('depends_on_steps: [send_receipt]');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'template-editor.png'), fullPage: true });

  // Fix it, and change the retry limit of charge_card while at it.
  const fixed = start.replace('    default_retry_limit: 3\n', '    default_retry_limit: 5\n');
  await editor.replaceText(fixed);
  await editor.expectChecked('Valid');
  await expect(editor.problems).toHaveCount(0);
  await expect(editor.preview.locator('.react-flow__node.in-cycle')).toHaveCount(0);
  await editor.save();
  await expect(page.getByTestId('save-result')).toContainText(`Saved version ${next}`);

  // The diff against the version before shows the change.
  await editor.openTab('Versions');
  await expect(page.getByTestId('version-table').locator(`tr[data-version="${next}"]`)).toContainText(/system|local/);
  await editor.compare(newest, next);
  await expect(editor.changedRows.filter({ hasText: 'default_retry_limit: 5' })).toHaveCount(1);
  await expect(editor.changedRows.filter({ hasText: 'default_retry_limit: 3' })).toHaveCount(1);
  await expect(editor.changedRows.filter({ hasText: `version: ${next}` })).toHaveCount(1);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'template-diff.png'), fullPage: true });

  // Try it: the form from the schema, on the new version.
  await editor.openTab('Try it');
  await expect(page.getByTestId('try-version')).toHaveValue(next);
  await expect(editor.field('/customer/tier').locator('select')).toHaveValue('0');
  await expect(editor.field('/notify').locator('input[type=checkbox]')).toBeChecked();
  await expect(editor.field('/customer/email').locator('.required-mark')).toBeVisible();
  const email = editor.field('/customer/email').locator('input');
  await email.fill('not-an-address');
  await expect(editor.field('/customer/email').getByTestId('format-error')).toContainText('must be an e-mail address');
  await email.fill('tried@example.com');
  await expect(editor.field('/customer/email').getByTestId('format-error')).toHaveCount(0);
  const taskId = await editor.startTask();
  await taskPage.expectStepStatus('send_receipt', 'complete');
  await expect(page.getByText(`· v${next}`)).toBeVisible();
  expect((await api.getTask(taskId)).version).toBe(next);

  // The task started earlier still shows the version it started with.
  await taskPage.goto(earlier.id);
  await expect(page.getByText(`· v${newest}`)).toBeVisible();
  expect((await api.getTask(earlier.id)).version).toBe(newest);
});

test('an unknown handler, an unknown service and a bad schema are each named at their line', async ({ page, editor }) => {
  await editor.goto('studio', 'studio_demo');
  await editor.expectChecked('Valid');
  const broken = FIXTURE.replace('email: { type: string, format: email }', 'email: { type: text, format: email }')
    .replace('  - name: fetch_order\n    handler: test.noop\n', '  - name: fetch_order\n    handler: test.nope\n')
    .replace(
      '  - name: send_receipt\n    handler: test.noop\n',
      '  - name: send_receipt\n    handler: http\n    handler_config: { service: warehouse, method: POST, path: /receipts }\n',
    );
  await editor.replaceText(broken);
  await expect(editor.checkState).toHaveText(/3 problems/);

  const handler = editor.problem("unknown handler 'test.nope'");
  await expect(handler).toHaveAttribute('data-line', String(lineOf(broken, 'handler: test.nope')));
  await expect(handler).toHaveAttribute('data-path', '/step_templates/0/handler');

  const service = editor.problem("unknown service 'warehouse'");
  await expect(service).toHaveAttribute('data-line', String(lineOf(broken, 'service: warehouse')));
  await expect(service).toHaveAttribute('data-path', '/step_templates/2/handler_config/service');

  const schema = page.locator('[data-testid="template-problem"][data-path^="/schema"]');
  await expect(schema).toHaveCount(1);
  await expect(schema).toHaveAttribute('data-line', String(lineOf(broken, 'type: text')));

  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(3);
  await expect(editor.saveButton).toBeDisabled();
});

test('a version that exists with other content is refused with the server message', async ({ page, editor }) => {
  await editor.goto('studio', 'studio_demo');
  await editor.expectChecked('Valid');
  await editor.replaceText(
    FIXTURE.replace(/^version: .*$/m, 'version: 1.0.0').replace('description: A small order workflow', 'description: Another order workflow'),
  );
  await editor.expectChecked('Valid');
  await expect(page.getByTestId('version-taken')).toContainText('Version 1.0.0 already exists');
  await editor.saveButton.click();
  await expect(page.getByTestId('save-error')).toContainText('already exists with other content');
  await expect(page.getByTestId('save-error')).toContainText('409');
});

test('the same name in two namespaces: both listed, both run', async ({ page, editor, taskPage }) => {
  await page.goto('/templates');
  const payments = page.locator('[data-testid="template-row"][data-namespace="payments"][data-name="process_refund"]');
  const billing = page.locator('[data-testid="template-row"][data-namespace="billing"][data-name="process_refund"]');
  await expect(payments).toBeVisible();
  await expect(billing).toBeVisible();
  await expect(payments).toContainText("The payments team's refund");
  await expect(billing).toContainText("The billing team's refund");

  await editor.goto('payments', 'process_refund', 'try');
  await editor.field('/refund/order_id').locator('input').fill('ord_1');
  await editor.field('/refund/amount_cents').locator('input').fill('1250');
  const paymentsTask = await editor.startTask();
  await taskPage.expectStepStatus('notify_customer', 'complete');
  await expect(taskPage.step('issue_credit_note')).toHaveCount(0);

  await editor.goto('billing', 'process_refund', 'try');
  // A required field left empty: the server's 422 is shown next to it.
  await page.getByTestId('start-task').click();
  await expect(editor.field('/invoice_id').getByTestId('field-error')).toHaveText('is required');
  await page.screenshot({ path: test.info().outputPath('try-it-refused.png'), fullPage: true });
  await editor.field('/invoice_id').locator('input').fill('inv_9');
  const billingTask = await editor.startTask();
  await taskPage.expectStepStatus('book_in_ledger', 'complete');
  await expect(taskPage.step('reverse_charge')).toHaveCount(0);
  expect(billingTask).not.toBe(paymentsTask);

  // The list counts the tasks of each.
  await page.goto('/templates');
  await expect(payments.locator('li[data-version="1.0.0"]')).toContainText('· 1');
  await expect(billing.locator('li[data-version="1.0.0"]')).toContainText('· 1');
  await page.screenshot({ path: test.info().outputPath('templates.png'), fullPage: true });
});

test('a new template starts from a skeleton and is saved as its first version', async ({ page, editor }) => {
  const name = `studio_new_${Date.now().toString(36)}`;
  await page.goto('/templates');
  await page.getByTestId('new-template').click();
  await expect(page).toHaveURL(/\/templates\/new$/);
  await editor.expectChecked('Valid');
  expect(await editor.visibleText()).toContain('name: my_template\nnamespace_name: default\nversion: 1.0.0');
  await editor.replaceText(
    NEW_TEMPLATE_SKELETON.replace('name: my_template', `name: ${name}`).replace('namespace_name: default', 'namespace_name: studio'),
  );
  await editor.expectChecked('Valid');
  await editor.saveButton.click();
  await expect(page).toHaveURL(new RegExp(`/templates/studio/${name}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('v1.0.0');
});

test('API: validate names a cycle with its line and returns the DAG; saving other content under a version is a 409', async ({ request }) => {
  const yaml = FIXTURE.replace(
    '  - name: fetch_order\n    handler: test.noop\n',
    '  - name: fetch_order\n    handler: test.noop\n    depends_on_steps: [send_receipt]\n',
  );
  const validated = await request.post('/api/v1/templates/validate', { data: yaml, headers: { 'content-type': 'application/yaml' } });
  expect(validated.status()).toBe(200);
  const result = (await validated.json()) as TemplateValidationResult;
  expect(result.valid).toBe(false);
  expect(result.errors).toContainEqual({
    path: '/step_templates/0/depends_on_steps/0',
    message: 'cycle: fetch_order → charge_card → send_receipt → fetch_order',
    line: lineOf(yaml, 'depends_on_steps: [send_receipt]'),
  });
  expect(result.dag?.edges).toContainEqual({ source: 'send_receipt', target: 'fetch_order' });

  const conflict = await request.post('/api/v1/templates', {
    data: FIXTURE.replace('default_retry_limit: 3', 'default_retry_limit: 4'),
    headers: { 'content-type': 'application/yaml' },
  });
  expect(conflict.status()).toBe(409);
  const usage = await request.get('/api/v1/templates/usage');
  expect(usage.status()).toBe(200);
  expect(((await usage.json()) as { items: unknown[] }).items).toEqual(expect.any(Array));
});
