import fs from 'node:fs';
import path from 'node:path';
import { JSON_SCHEMA, load } from 'js-yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoServices, type DemoServices } from '../demo/demo-services';
import { PermanentError, RetryableError } from '../errors';
import { createServiceCaller } from '../services/call-service';
import { resolveServiceUrls } from '../services/service-registry';
import { compileSchema } from '../validation';
import type { StepHandlerContext } from './define-step-handler';
import { builtInHandlers } from './index';
import { createUserAccount, initializePreferences, sendWelcomeSequence, setupBillingProfile, updateUserStatus } from './registration';

type StepTemplate = { name: string; handler: string; handler_config: Record<string, unknown>; depends_on_steps?: string[] };
type Template = { schema: object; step_templates: StepTemplate[] };

const templateFile = path.join(import.meta.dirname, '../../templates/user_registration.yaml');
const template = load(fs.readFileSync(templateFile, 'utf8'), { schema: JSON_SCHEMA }) as Template;
const validateContext = compileSchema<Record<string, unknown>>(template.schema);

let demo: DemoServices;

beforeAll(async () => {
  demo = await startDemoServices({ port: 0 });
});

afterAll(async () => {
  await demo.close();
});

beforeEach(() => {
  demo.state.reset();
});

const silentLog = { info() {}, warn() {}, error() {} };

/** What the orchestrator gives a handler: the context, its direct dependencies' results, a caller. */
function buildContext(
  stepName: string,
  {
    context,
    results = {},
    signal,
    idempotencyKey,
  }: { context: Record<string, unknown>; results?: Record<string, unknown>; signal?: AbortSignal; idempotencyKey?: string },
): StepHandlerContext {
  const key = idempotencyKey ?? `switchyard-step-${stepName}`;
  const stepSignal = signal ?? new AbortController().signal;
  return {
    context,
    results,
    task: { id: '1', namespace: 'blog_examples', name: 'user_registration', version: '1.0.0' },
    step: { id: stepName, name: stepName },
    attempt: 1,
    signal: stepSignal,
    idempotencyKey: key,
    correlationId: 'corr-registration',
    services: createServiceCaller({
      urls: resolveServiceUrls({ env: {}, demoServicesUrl: demo.url }),
      idempotencyKey: key,
      correlationId: 'corr-registration',
      signal: stepSignal,
    }),
    log: silentLog,
  };
}

function registrationContext(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const context: Record<string, unknown> = {
    user_info: { email: 'sarah@growthcorp.example', name: 'Sarah Chen', plan: 'pro', source: 'web' },
    billing_info: {
      payment_method: 'card',
      billing_address: { street: '1 Market St', city: 'San Francisco', postal_code: '94105', country: 'US' },
    },
    preferences: { marketing_emails: true },
    ...overrides,
  };
  const validated = validateContext(Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined)));
  if (!validated.ok) {
    throw new Error(JSON.stringify(validated.errors));
  }
  return validated.value;
}

const configOf = (name: string) => template.step_templates.find((step) => step.name === name)?.handler_config ?? {};

/** Runs the five steps in the template's order, each seeing only its direct dependencies' results. */
async function registerByHand(context: Record<string, unknown>, keySuffix = '') {
  const key = (step: string) => `switchyard-step-${step}${keySuffix}`;
  const user = await createUserAccount.handle(
    configOf('create_user_account') as { service: string },
    buildContext('create_user_account', { context, idempotencyKey: key('create_user_account') }),
  );
  const [billing, preferences] = await Promise.all([
    setupBillingProfile.handle(
      { service: 'billing' },
      buildContext('setup_billing_profile', { context, results: { create_user_account: user }, idempotencyKey: key('setup_billing_profile') }),
    ),
    initializePreferences.handle(
      { service: 'preferences' },
      buildContext('initialize_preferences', { context, results: { create_user_account: user }, idempotencyKey: key('initialize_preferences') }),
    ),
  ]);
  const welcome = await sendWelcomeSequence.handle(
    { service: 'notification' },
    buildContext('send_welcome_sequence', {
      context,
      results: { setup_billing_profile: billing, initialize_preferences: preferences },
      idempotencyKey: key('send_welcome_sequence'),
    }),
  );
  const status = await updateUserStatus.handle(
    { service: 'user' },
    buildContext('update_user_status', { context, results: { send_welcome_sequence: welcome }, idempotencyKey: key('update_user_status') }),
  );
  return { user, billing, preferences, welcome, status };
}

function recordCounts() {
  const { services } = demo.state.summarize();
  return Object.fromEntries(Object.entries(services).map(([name, service]) => [name, service.records]));
}

describe('registration handlers', () => {
  it('are registered, and the template names them with configs their schemas accept', () => {
    const names = builtInHandlers.map((handler) => handler.name);
    for (const step of template.step_templates) {
      const handler = builtInHandlers.find((candidate) => candidate.name === step.handler);
      expect(handler, step.handler).toBeDefined();
      expect(compileSchema(handler?.configSchema ?? {})(structuredClone(step.handler_config))).toMatchObject({ ok: true });
    }
    expect(names).toContain('http');
  });

  it('register a pro user end to end with exactly one record per service', async () => {
    const { user, billing, preferences, welcome, status } = await registerByHand(registrationContext());
    expect(user).toMatchObject({ email: 'sarah@growthcorp.example', plan: 'pro', already_existed: false });
    expect(billing).toMatchObject({ user_id: (user as { id: string }).id, plan: 'pro', payment_method: 'card' });
    expect(preferences).toMatchObject({ email_notifications: true, marketing_emails: true, product_updates: true });
    expect(welcome).toMatchObject({ emails_scheduled: 5, account_manager_intro: false });
    expect(status).toEqual({
      user_id: (user as { id: string }).id,
      status: 'active',
      billing_profile_id: (billing as { id: string }).id,
      preferences_id: (preferences as { id: string }).id,
      welcome_sequence_id: (welcome as { id: string }).id,
      emails_scheduled: 5,
    });
    expect(recordCounts()).toEqual({ user: 1, billing: 1, preferences: 1, notification: 1 });
    expect(demo.state.services.user.records.get((user as { id: string }).id)).toMatchObject({
      status: 'active',
      registration_summary: { welcome_sequence_id: (welcome as { id: string }).id },
    });
  });

  it('give a free plan a billing profile without payment and three emails; enterprise seven and an intro', async () => {
    const free = await registerByHand(
      registrationContext({ user_info: { email: 'free@example.com', name: 'Free' }, billing_info: undefined, preferences: undefined }),
    );
    expect(free.billing).toMatchObject({ plan: 'free', payment_method: 'none' });
    expect(free.preferences).toMatchObject({ email_notifications: true, marketing_emails: false, product_updates: true });
    expect(free.welcome).toMatchObject({ emails_scheduled: 3, account_manager_intro: false });

    const enterprise = await registerByHand(
      registrationContext({ user_info: { email: 'cto@bigco.example', name: 'CTO', plan: 'enterprise' } }),
      '-enterprise',
    );
    expect(enterprise.welcome).toMatchObject({ emails_scheduled: 7, account_manager_intro: true });
    expect(recordCounts()).toEqual({ user: 2, billing: 2, preferences: 2, notification: 2 });
  });

  it('are idempotent: a repeat with the same keys replays, one with new keys adopts what exists (and re-sends the welcome)', async () => {
    const context = registrationContext();
    const first = await registerByHand(context);
    const replayed = await registerByHand(context);
    expect(replayed).toEqual(first);
    const adopted = await registerByHand(context, '-second-task');
    expect(adopted.user).toMatchObject({ id: (first.user as { id: string }).id, already_existed: true });
    expect(adopted.billing).toMatchObject({ id: (first.billing as { id: string }).id, already_existed: true });
    // The notification service schedules a sequence for each new Idempotency-Key (shared/API.md §6): a re-send.
    expect(adopted.welcome).toMatchObject({ already_existed: false });
    expect((adopted.welcome as { id: string }).id).not.toBe((first.welcome as { id: string }).id);
    expect(recordCounts()).toEqual({ user: 1, billing: 1, preferences: 1, notification: 2 });
  });

  it('leave one billing profile when an attempt times out after billing did the work and the retry uses the same key', async () => {
    const context = registrationContext();
    const user = await createUserAccount.handle({ service: 'user' }, buildContext('create_user_account', { context }));
    demo.state.configure('billing', { mode: 'slow', latency_ms: 1500 });

    const timedOut = buildContext('setup_billing_profile', { context, results: { create_user_account: user }, signal: AbortSignal.timeout(200) });
    const error = await setupBillingProfile.handle({ service: 'billing' }, timedOut).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ errorCode: 'timeout' });
    expect(demo.state.services.billing.records.size).toBe(1);

    demo.state.configure('billing', { mode: 'up' });
    const retried = await setupBillingProfile.handle(
      { service: 'billing' },
      buildContext('setup_billing_profile', { context, results: { create_user_account: user } }),
    );
    expect(retried).toMatchObject({ plan: 'pro', already_existed: false });
    expect(demo.state.services.billing.records.size).toBe(1);
    expect([...demo.state.services.billing.records.keys()]).toEqual([(retried as { id: string }).id]);
  });

  it('fail for good on input no retry can fix', async () => {
    await expect(createUserAccount.handle({ service: 'user' }, buildContext('create_user_account', { context: {} }))).rejects.toMatchObject({
      name: 'PermanentError',
      errorCode: 'missing_input',
    });

    const context = registrationContext({ billing_info: {} });
    const user = await createUserAccount.handle({ service: 'user' }, buildContext('create_user_account', { context }));
    const error = await setupBillingProfile
      .handle({ service: 'billing' }, buildContext('setup_billing_profile', { context, results: { create_user_account: user } }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ errorCode: 'http_422' });
    expect((error as Error).message).toContain('/payment_method is required for the pro plan');
  });

  it('let the service decide what is retryable', async () => {
    const context = registrationContext();
    demo.state.configure('user', { mode: 'down' });
    await expect(createUserAccount.handle({ service: 'user' }, buildContext('create_user_account', { context }))).rejects.toMatchObject({
      name: 'RetryableError',
      errorCode: 'http_503',
    });
    expect(demo.state.services.user.records.size).toBe(0);
  });
});
