import type { TaskDetail } from '../lib/api/types';
import { uniqueEmail } from './pages/switchyard-api';
import { expect, test } from './pages/test';

test.afterEach(async ({ api }) => {
  await api.resetDemoServices();
});

test('a registration rejected by billing shows in Failures, and retrying its step from the panel completes it live', async ({
  page,
  api,
  failuresPage,
  taskPage,
}) => {
  await api.cancelFailedTasks('blog_examples', 'user_registration');
  await api.resetDemoServices();

  // The operator breaks billing from the Services page, as in the 2 AM outage (but a permanent 422).
  await page.goto('/services');
  const billing = page.locator('[data-testid="service-card"][data-service="billing"]');
  await billing.getByRole('button', { name: 'Reject' }).click();
  await expect(billing.locator('[data-mode="reject"]')).toBeVisible();

  const task = await api.createRegistration(uniqueEmail('outage'));
  await api.waitForTaskStatus(task.id, 'error');

  await failuresPage.goto();
  const group = failuresPage.group({ template: 'blog_examples/user_registration', step: 'setup_billing_profile', error: 'rejects every request' });
  await expect(group).toHaveCount(1);
  await expect(group.getByTestId('failure-count')).toHaveText('1');
  // Its partial state: the user and the preferences already exist in their services.
  await expect(group.locator('[data-partial-step="create_user_account"]')).toHaveAttribute('data-done', '1');
  await expect(group.locator('[data-partial-step="initialize_preferences"]')).toHaveAttribute('data-done', '1');

  // Every read of the task's detail, and every answer to one, from here on (the live page reads it
  // once as it opens, then only while its event stream is not open).
  const detailPath = `/api/v1/tasks/${task.id}`;
  type Phase = 'opening' | 'stream open' | 'retrying' | 'finished';
  let phase = 'opening' as Phase;
  const detailReads: { phase: Phase; url: string }[] = [];
  const detailAnswers: Promise<{ receivedAt: number; billing: string | undefined }>[] = [];
  const streamAnswers: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'GET' && new URL(request.url()).pathname === detailPath) {
      detailReads.push({ phase, url: request.url() });
    }
  });
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (response.request().method() !== 'GET') {
      return;
    }
    if (pathname === `${detailPath}/events`) {
      streamAnswers.push(`${response.status()} ${response.headers()['content-type']}`);
    } else if (pathname === detailPath && response.ok()) {
      const receivedAt = Date.now();
      detailAnswers.push(
        response
          .json()
          .then((body: TaskDetail) => ({ receivedAt, billing: body.steps.find((step) => step.name === 'setup_billing_profile')?.status })),
      );
    }
  });

  await group.getByRole('link', { name: 'Open its tasks' }).click();
  await expect(page).toHaveURL(/\/tasks\?.*step=setup_billing_profile/);
  await page.locator(`tr[data-task-id="${task.id}"]`).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/tasks/${task.id}`));

  await taskPage.expectStepStatus('setup_billing_profile', 'error');
  await taskPage.expectStepStatus('initialize_preferences', 'complete');
  await taskPage.expectStepStatus('send_welcome_sequence', 'pending');
  await taskPage.markWindow();

  // The failure shows where the operator looks: on the node, and in the step's panel with its message.
  await taskPage.openStep('setup_billing_profile');
  await expect(taskPage.panel.locator('header .status-badge')).toHaveAttribute('data-status', 'error');
  const lastError = taskPage.panel.locator('section', { has: page.getByRole('heading', { name: 'Last error' }) });
  await expect(lastError).toContainText('billing rejects every request');
  await expect(taskPage.panel.getByTestId('attempt-table')).toContainText('422');
  await expect(taskPage.panel.getByTestId('attempt-table')).toContainText('billing rejects every request');

  // Billing is back, slowly: the retried step runs 1.5 s, so the read the retry itself triggers comes
  // back before the step completes, and the completion can only reach the page through the stream.
  await api.setServiceMode('billing', 'slow', { latency_ms: 1500 });
  await taskPage.expectStreamOpen();
  expect(
    streamAnswers.some((answer) => answer.startsWith('200 text/event-stream')),
    streamAnswers.join(', '),
  ).toBe(true);
  phase = 'stream open';
  // Long enough for two polls, had the page polled while its stream is open.
  await page.waitForTimeout(2_500);
  await taskPage.expectStreamOpen();
  await taskPage.recordStatusTimes();

  phase = 'retrying';
  const retried = page.waitForResponse(
    (response) => response.request().method() === 'POST' && new URL(response.url()).pathname.endsWith('/steps/setup_billing_profile/retry'),
  );
  await taskPage.panel.getByRole('button', { name: 'Retry step' }).click();
  expect((await retried).ok()).toBe(true);
  for (const step of ['setup_billing_profile', 'send_welcome_sequence', 'update_user_status']) {
    await taskPage.expectStepStatus(step, 'complete');
  }
  await expect(page.getByRole('heading', { level: 1 })).toContainText('complete');
  phase = 'finished';
  await expect(taskPage.liveIndicator).toContainText('finished');
  await taskPage.expectSameWindow();

  // Push, not polling: no read of the task while its stream was open, besides the one read the retry
  // makes to refresh what it changed, and that read did not bring the completion.
  expect(detailReads.filter((read) => read.phase === 'stream open')).toEqual([]);
  expect(detailReads.filter((read) => read.phase === 'retrying').length).toBeLessThanOrEqual(1);
  const { seen, clicks } = await taskPage.readStatusTimes();
  const billingDrawnComplete = seen['setup_billing_profile:complete']!;
  for (const answer of await Promise.all(detailAnswers)) {
    if (answer.receivedAt >= clicks['Retry step']!) {
      expect(answer.billing).not.toBe('complete');
      expect(answer.receivedAt).toBeLessThan(billingDrawnComplete);
    }
  }

  // How long the changes took to show, on the page's clock: recorded, not asserted (timing on a shared
  // machine is no test). "Shown after the server made it" compares the step's completed_at with the
  // page's clock, which is the same machine's.
  const clickedAt = clicks['Retry step']!;
  const finished = await api.getTask(task.id);
  const completedAt = (step: string) => Date.parse(finished.steps.find((candidate) => candidate.name === step)!.completed_at!);
  const firstChange = Math.min(
    ...Object.entries(seen)
      .filter(([key, at]) => key.startsWith('setup_billing_profile:') && key !== 'setup_billing_profile:error' && at >= clickedAt)
      .map(([, at]) => at),
  );
  const timings = {
    'retry click → billing step drawn as no longer failed': firstChange - clickedAt,
    'retry click → billing step drawn complete': billingDrawnComplete - clickedAt,
    'retry click → last step drawn complete': seen['update_user_status:complete']! - clickedAt,
    ...Object.fromEntries(
      ['setup_billing_profile', 'send_welcome_sequence', 'update_user_status'].map((step) => [
        `${step} completed on the server → drawn complete (pushed)`,
        seen[`${step}:complete`]! - completedAt(step),
      ]),
    ),
  };
  for (const [type, ms] of Object.entries(timings)) {
    test.info().annotations.push({ type, description: `${Math.round(ms)} ms` });
  }
});
