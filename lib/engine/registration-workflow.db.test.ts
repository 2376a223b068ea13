import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { registerTemplates } from '../actions/register-templates';
import { defaultHandlerRegistry } from '../handlers/index';
import { createServiceCallerFactory } from '../runtime/host';
import { KNOWN_SERVICE_NAMES, resolveServiceUrls } from '../services/service-registry';
import { validateTemplate } from '../templates/validate-template';
import { setUpDemoServicesForTests } from '../testing/demo-services-testing';
import { readAttempts, registrationContext, saveTestTemplate, waitFor, waitForTaskStatus } from '../testing/task-testing';
import { startOrchestrator } from './runner';

const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const services = [...KNOWN_SERVICE_NAMES];
const testServices = setUpDemoServicesForTests();
const running = testServices.running;

describeEachDatabase('the registration workflow against the demo services', (suite) => {
  async function start() {
    const urls = resolveServiceUrls({ env: {}, demoServicesUrl: testServices.demo.url });
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers,
      createServiceCaller: createServiceCallerFactory(urls),
      concurrency: 10,
      pollIntervalMs: 50,
      shutdownGraceMs: 100,
      circuitBreaker: { failureThreshold: 3, cooldownSeconds: 1, releaseSpreadMs: 20, checkIntervalMs: 200 },
    });
    running.push(orchestrator);
    return orchestrator;
  }

  async function register() {
    await registerTemplates(suite.database.db, { directories: [path.resolve('templates')], handlers, services });
  }

  async function stepsOf(taskId: number) {
    return queryRows<{ name: string; status: string; attempts: number; round_start_attempts: number; retry_limit: number }>(
      suite.database.db,
      sql`select name, status, attempts, round_start_attempts, retry_limit from steps where task_id = ${taskId} order by position`,
    );
  }

  function records() {
    const summary = testServices.demo.state.summarize().services;
    return Object.fromEntries(services.map((name) => [name, summary[name].records]));
  }

  it('completes all five steps, billing and preferences at the same time, one record in each service', async () => {
    await register();
    const { task } = await createTask(suite.database.db, {
      namespace: 'blog_examples',
      name: 'user_registration',
      context: registrationContext('ann@example.com'),
    });
    await start();
    expect(await waitForTaskStatus(suite.database.db, task.id, ['complete', 'error'])).toBe('complete');
    const attempts = await readAttempts(suite.database.db, task.id);
    const billing = attempts.find((attempt) => attempt.step === 'setup_billing_profile')!;
    const preferences = attempts.find((attempt) => attempt.step === 'initialize_preferences')!;
    expect(billing.startedAt).toBeLessThan(preferences.finishedAt!);
    expect(preferences.startedAt).toBeLessThan(billing.finishedAt!);
    expect(records()).toEqual({ user: 1, billing: 1, preferences: 1, notification: 1 });
    const [final] = await queryRows<{ results: Record<string, unknown> }>(
      suite.database.db,
      sql`select results from steps where task_id = ${task.id} and name = 'update_user_status'`,
    );
    expect(final!.results).toMatchObject({ status: 'active' });
  });

  it('rides out a billing outage: the circuit opens, no attempts are used up, every registration completes once billing is back', async () => {
    await register();
    testServices.demo.state.configure('billing', { mode: 'down' });
    await start();
    const tasks = [];
    for (let i = 0; i < 47; i++) {
      tasks.push(
        (
          await createTask(suite.database.db, {
            namespace: 'blog_examples',
            name: 'user_registration',
            context: registrationContext(`user${i}@example.com`),
          })
        ).task,
      );
    }
    await waitFor(
      async () => {
        const [row] = await queryRows<{ done: number }>(
          suite.database.db,
          sql`select count(*)::int as done from steps where name = 'initialize_preferences' and status = 'complete'`,
        );
        return row!.done === 47;
      },
      { what: 'every preferences step to complete while billing is down', timeoutMs: 30_000 },
    );
    const [circuit] = await queryRows<{ state: string }>(suite.database.db, sql`select state from service_circuits where service = 'billing'`);
    expect(['open', 'half_open']).toContain(circuit!.state);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const billingSteps = await queryRows<{ status: string; used: number; retry_limit: number }>(
      suite.database.db,
      sql`select status, attempts - round_start_attempts as used, retry_limit from steps where name = 'setup_billing_profile'`,
    );
    expect(billingSteps.filter((step) => step.status === 'error')).toEqual([]);
    expect(billingSteps.every((step) => step.used < step.retry_limit)).toBe(true);

    testServices.demo.state.configure('billing', { mode: 'up' });
    for (const task of tasks) {
      expect(await waitForTaskStatus(suite.database.db, task.id, ['complete', 'error'], 60_000)).toBe('complete');
    }
    expect(records()).toEqual({ user: 47, billing: 47, preferences: 47, notification: 47 });
    const events = await queryRows<{ to_state: string }>(
      suite.database.db,
      sql`select to_state from service_circuit_events where service = 'billing' order by id`,
    );
    expect(events.map((event) => event.to_state)).toContain('open');
    expect(events.at(-1)!.to_state).toBe('closed');
  });

  it('waits as long as Retry-After says before the next attempt', async () => {
    await register();
    testServices.demo.state.configure('notification', { mode: 'rate_limited', retry_after_seconds: 4 });
    const { task } = await createTask(suite.database.db, {
      namespace: 'blog_examples',
      name: 'user_registration',
      context: registrationContext('rita@example.com'),
    });
    await start();
    await waitFor(async () => (await readAttempts(suite.database.db, task.id)).some((a) => a.step === 'send_welcome_sequence' && a.finishedAt), {
      what: 'the first welcome attempt',
    });
    testServices.demo.state.configure('notification', { mode: 'up' });
    expect(await waitForTaskStatus(suite.database.db, task.id, ['complete', 'error'], 30_000)).toBe('complete');
    const welcome = (await readAttempts(suite.database.db, task.id)).filter((attempt) => attempt.step === 'send_welcome_sequence');
    expect(welcome.map((attempt) => attempt.outcome)).toEqual(['retryable_error', 'complete']);
    expect(welcome[1]!.startedAt - welcome[0]!.finishedAt!).toBeGreaterThanOrEqual(3990);
  });

  it('stops at a permanent refusal (422): one attempt, step and task in error, preferences complete', async () => {
    await register();
    testServices.demo.state.configure('billing', { mode: 'reject' });
    const { task } = await createTask(suite.database.db, {
      namespace: 'blog_examples',
      name: 'user_registration',
      context: registrationContext('rex@example.com'),
    });
    await start();
    expect(await waitForTaskStatus(suite.database.db, task.id, ['complete', 'error'])).toBe('error');
    const steps = await stepsOf(task.id);
    expect(steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['create_user_account', 'complete', 1],
      ['setup_billing_profile', 'error', 1],
      ['initialize_preferences', 'complete', 1],
      ['send_welcome_sequence', 'pending', 0],
      ['update_user_status', 'pending', 0],
    ]);
    const [attempt] = await queryRows<{ http_status: number; error_code: string }>(
      suite.database.db,
      sql`select a.http_status, a.error_code from step_attempts a join steps s on s.id = a.step_id where s.task_id = ${task.id} and s.name = 'setup_billing_profile'`,
    );
    expect(attempt).toEqual({ http_status: 422, error_code: 'http_422' });
  });

  it('keeps one record when a call times out after the service did the work and is retried', async () => {
    await saveTestTemplate(suite.database.db, {
      name: 'billing_only',
      steps: [
        { name: 'create_user_account', handler: 'registration.create_user_account', handlerConfig: { service: 'user' }, service: 'user' },
        {
          name: 'setup_billing_profile',
          handler: 'registration.setup_billing_profile',
          handlerConfig: { service: 'billing' },
          service: 'billing',
          dependsOn: ['create_user_account'],
          timeoutSeconds: 1,
          backoff: { baseSeconds: 0.2, maxSeconds: 1, jitter: false },
        },
      ],
    });
    testServices.demo.state.configure('billing', { mode: 'slow', latency_ms: 1500 });
    const { task } = await createTask(suite.database.db, {
      namespace: 'tests',
      name: 'billing_only',
      context: registrationContext('tim@example.com'),
    });
    await start();
    await waitFor(
      async () => (await readAttempts(suite.database.db, task.id)).some((a) => a.step === 'setup_billing_profile' && a.outcome === 'timeout'),
      {
        what: 'the billing call to time out',
      },
    );
    testServices.demo.state.configure('billing', { mode: 'up' });
    expect(await waitForTaskStatus(suite.database.db, task.id, ['complete', 'error'])).toBe('complete');
    expect(testServices.demo.state.summarize().services.billing.records).toBe(1);
    expect(testServices.demo.state.summarize().services.billing.calls).toBeGreaterThanOrEqual(2);
  });

  it('runs the code-free http template end to end', async () => {
    await register();
    const { task } = await createTask(suite.database.db, {
      namespace: 'onboarding',
      name: 'customer_onboarding_http',
      context: { customer: { email: 'hugo@example.com', name: 'Hugo' }, plan: 'enterprise' },
    });
    await start();
    expect(await waitForTaskStatus(suite.database.db, task.id, ['complete', 'error'])).toBe('complete');
  });

  it('refuses a template that names an unknown service', () => {
    const yaml = `name: calls_nowhere
version: 1.0.0
step_templates:
  - name: call
    handler: http
    handler_config: { service: payroll, path: /pay }
`;
    const result = validateTemplate(yaml, { handlers, services });
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual(
      expect.objectContaining({ path: '/step_templates/0/handler_config/service', message: expect.stringMatching(/unknown service 'payroll'/) }),
    );
  });
});
