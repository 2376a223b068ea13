import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { JSON_SCHEMA, load } from 'js-yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoServices, type DemoServices } from '../demo/demo-services';
import { PermanentError, RetryableError } from '../errors';
import { createServiceCaller } from '../services/call-service';
import { resolveServiceUrls } from '../services/service-registry';
import { compileSchema } from '../validation';
import type { StepHandlerContext } from './define-step-handler';
import { httpRequest, type HttpRequestConfig } from './http-request';

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

function buildContext(overrides: Partial<StepHandlerContext> & { urls?: Record<string, string> } = {}): StepHandlerContext {
  const { urls, ...rest } = overrides;
  const signal = rest.signal ?? new AbortController().signal;
  const idempotencyKey = rest.idempotencyKey ?? `key-${Math.random()}`;
  return {
    context: {},
    results: {},
    task: { id: '1', namespace: 'onboarding', name: 'customer_onboarding_http', version: '1.0.0' },
    step: { id: '11', name: 'call' },
    attempt: 1,
    signal,
    idempotencyKey,
    correlationId: 'corr-http',
    services: createServiceCaller({
      urls: urls ?? resolveServiceUrls({ env: {}, demoServicesUrl: demo.url }),
      idempotencyKey,
      correlationId: 'corr-http',
      signal,
    }),
    log: silentLog,
    ...rest,
  };
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the step to fail');
}

const validateConfig = compileSchema<HttpRequestConfig>(httpRequest.configSchema);
const ada = { customer: { email: 'ada@example.com', name: 'Ada' }, plan: 'pro' };
const createCustomer: HttpRequestConfig = {
  service: 'user',
  method: 'POST',
  path: '/users',
  body: { email: '{{ context.customer.email }}', name: '{{ context.customer.name }}', plan: '{{ context.plan }}' },
};

describe('http handler', () => {
  it('has a config schema that takes the documented keys and refuses others', () => {
    expect(validateConfig({ ...createCustomer, expect_status: [201], treat_conflict_as_success: true }).ok).toBe(true);
    const refused = validateConfig({ service: 'http://evil', path: 'users', url: 'http://evil', method: 'TRACE' });
    expect(refused.ok).toBe(false);
    expect(refused.ok ? [] : refused.errors.map((error) => error.path).sort()).toEqual(['/method', '/path', '/service', '/url']);
    expect(validateConfig({ ...createCustomer, headers: { Authorization: 'Bearer {{ context.token }}' } }).ok).toBe(true);
    const badHeaders = validateConfig({ ...createCustomer, headers: { 'bad name': 'x', 'X-Count': 3 } });
    expect(badHeaders.ok ? [] : badHeaders.errors.map((error) => error.path).sort()).toEqual(['/headers/X-Count', '/headers/bad name']);
  });

  it('posts a body built from the context and returns the response body', async () => {
    const user = await httpRequest.handle(createCustomer, buildContext({ context: ada }));
    expect(user).toMatchObject({ id: expect.stringMatching(/^usr_/) as string, email: 'ada@example.com', plan: 'pro' });
  });

  it('fills the path from earlier results, URL-encoded, and defaults to GET without a body', async () => {
    const user = (await httpRequest.handle(createCustomer, buildContext({ context: ada }))) as { id: string };
    const fetched = await httpRequest.handle(
      { service: 'user', path: '/users/{{ results.create_customer.id }}' },
      buildContext({ results: { create_customer: { id: user.id } } }),
    );
    expect(fetched).toMatchObject({ id: user.id });
    await expect(
      httpRequest.handle(
        { service: 'user', path: '/users/{{ results.create_customer.id }}' },
        buildContext({ results: { create_customer: { id: 'usr_1/../../_control/reset' } } }),
      ),
    ).rejects.toMatchObject({ errorCode: 'invalid_service_path' });
    await expect(
      httpRequest.handle(
        { service: 'user', path: '/users/{{ results.create_customer.id }}' },
        buildContext({ results: { create_customer: { id: 'a/b' } } }),
      ),
    ).rejects.toMatchObject({ errorCode: 'http_404' });
    expect(demo.state.services.user.records.size).toBe(1);
  });

  it('fails for good on a missing reference without calling the service', async () => {
    const error = await catchError(httpRequest.handle(createCustomer, buildContext({ context: { customer: { email: 'a@b.co' } } })));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ errorCode: 'template_reference' });
    expect((error as Error).message).toContain('handler_config.body.name');
    expect(demo.state.services.user.calls).toBe(0);
  });

  it('treats a 409 as a permanent error unless the template says it means done', async () => {
    await httpRequest.handle(createCustomer, buildContext({ context: ada }));
    const conflict = await catchError(httpRequest.handle(createCustomer, buildContext({ context: ada })));
    expect(conflict).toBeInstanceOf(PermanentError);
    expect(conflict).toMatchObject({ errorCode: 'http_409', httpStatus: 409 });
    expect((conflict as Error).message).toContain('already exists');

    const adopted = await httpRequest.handle({ ...createCustomer, treat_conflict_as_success: true }, buildContext({ context: ada }));
    expect(adopted).toMatchObject({ error: { code: 'already_exists' }, existing: { email: 'ada@example.com' } });
  });

  it('refuses a status outside expect_status', async () => {
    await expect(httpRequest.handle({ ...createCustomer, expect_status: [200] }, buildContext({ context: ada }))).rejects.toMatchObject({
      name: 'PermanentError',
      errorCode: 'unexpected_status',
      httpStatus: 201,
    });
  });

  it('classifies service failures through the service caller', async () => {
    demo.state.configure('user', { mode: 'reject' });
    await expect(httpRequest.handle(createCustomer, buildContext({ context: ada }))).rejects.toMatchObject({
      name: 'PermanentError',
      errorCode: 'http_422',
    });
    demo.state.configure('user', { mode: 'rate_limited', retry_after_seconds: 4 });
    const limited = await catchError(httpRequest.handle(createCustomer, buildContext({ context: ada })));
    expect(limited).toBeInstanceOf(RetryableError);
    expect(limited).toMatchObject({ errorCode: 'http_429', retryAfterSeconds: 4 });
    expect(demo.state.services.user.records.size).toBe(0);
  });

  it('returns {status} when the service answers without a body', async () => {
    const server = http.createServer((_request, response) => response.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const urls = { audit: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
      await expect(
        httpRequest.handle({ service: 'audit', method: 'DELETE', path: '/events/{{ task.id }}' }, buildContext({ urls })),
      ).resolves.toEqual({ status: 204 });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

type StepTemplate = { name: string; handler: string; handler_config: HttpRequestConfig; depends_on_steps?: string[] };
type Template = { schema: object; step_templates: StepTemplate[] };

describe('templates/customer_onboarding_http.yaml against the demo services', () => {
  const file = path.join(import.meta.dirname, '../../templates/customer_onboarding_http.yaml');
  const template = load(fs.readFileSync(file, 'utf8'), { schema: JSON_SCHEMA }) as Template;

  it('uses only http steps whose configs pass the handler schema', () => {
    for (const step of template.step_templates) {
      expect(step.handler).toBe('http');
      expect(validateConfig(structuredClone(step.handler_config))).toMatchObject({ ok: true });
    }
  });

  it('runs from start to end, each step seeing only its dependencies’ results', async () => {
    const validateContext = compileSchema<Record<string, unknown>>(template.schema);
    const validated = validateContext({ customer: { email: 'grace@example.com', name: 'Grace Hopper' }, plan: 'enterprise' });
    expect(validated.ok).toBe(true);
    const context = validated.ok ? validated.value : {};

    const results: Record<string, unknown> = {};
    const remaining = [...template.step_templates];
    while (remaining.length > 0) {
      const ready = remaining.filter((step) => (step.depends_on_steps ?? []).every((name) => name in results));
      expect(ready.length).toBeGreaterThan(0);
      const outcomes = await Promise.all(
        ready.map((step) => {
          const dependencyResults = Object.fromEntries((step.depends_on_steps ?? []).map((name) => [name, results[name]]));
          const stepContext = buildContext({ context, results: dependencyResults, step: { id: step.name, name: step.name } });
          return httpRequest.handle(step.handler_config, stepContext);
        }),
      );
      ready.forEach((step, index) => {
        results[step.name] = outcomes[index];
        remaining.splice(remaining.indexOf(step), 1);
      });
    }

    expect(results.activate_customer).toMatchObject({
      status: 'active',
      plan: 'enterprise',
      registration_summary: { emails_scheduled: 7 },
    });
    expect(results.start_welcome_sequence).toMatchObject({ plan: 'enterprise', account_manager_intro: true });
    expect(results.save_preferences).toMatchObject({ marketing_emails: false, product_updates: true, onboarded_by: 'task 1' });
    expect(demo.state.summarize().services).toMatchObject({
      user: { records: 1 },
      billing: { records: 1 },
      preferences: { records: 1 },
      notification: { records: 1 },
    });
  });
});
