import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { defaultHandlerRegistry } from '../handlers/index';
import { listServiceNames, readServiceAliases } from '../services/service-registry';
import { validateTemplate, type TemplateValidation, type TemplateValidationOptions } from './validate-template';

const fixtures = path.join(__dirname, 'fixtures/tasker');
const readFixture = (file: string) => readFileSync(path.join(fixtures, file), 'utf8');

const options: TemplateValidationOptions = {
  handlers: defaultHandlerRegistry({ withTestHandlers: true }),
  services: listServiceNames({}),
  serviceAliases: readServiceAliases({}),
  environment: 'test',
};

function accepted(result: TemplateValidation) {
  if (!result.valid) {
    throw new Error(`refused: ${JSON.stringify(result.errors, null, 2)}`);
  }
  return result;
}

const noticesOf = (result: TemplateValidation) => result.notices.map(({ path, message }) => ({ path, message }));
const errorsOf = (result: TemplateValidation) => result.errors.map(({ path, message }) => ({ path, message }));
const noticePaths = (result: TemplateValidation) => result.notices.map((notice) => notice.path);

describe("Tasker's Rails format", () => {
  it("reads the blog example's user registration: class names become handlers, URLs services", () => {
    const result = accepted(validateTemplate(readFixture('user_registration_handler.yaml'), options));
    const { definition } = result;
    expect(definition).toMatchObject({ namespace: 'blog_examples', name: 'user_registration', version: '1.1.0' });
    expect(definition.steps.map((step) => [step.name, step.handler, step.service, step.retryLimit, step.dependsOn])).toEqual([
      ['create_user_account', 'registration.create_user_account', 'user', 3, []],
      ['setup_billing_profile', 'registration.setup_billing_profile', 'billing', 3, ['create_user_account']],
      ['initialize_preferences', 'registration.initialize_preferences', 'preferences', 3, ['create_user_account']],
      ['send_welcome_sequence', 'registration.send_welcome_sequence', 'notification', 5, ['setup_billing_profile', 'initialize_preferences']],
      ['update_user_status', 'registration.update_user_status', 'user', 2, ['send_welcome_sequence']],
    ]);
    expect(definition.steps[0]?.handlerConfig).toEqual({ service: 'user' });
    expect(noticePaths(result)).toEqual([
      '/task_handler_class',
      '/default_dependent_system',
      '/step_templates/0/handler_class',
      '/step_templates/0/handler_config/url',
      '/step_templates/1/handler_class',
      '/step_templates/1/handler_config/url',
      '/step_templates/2/handler_class',
      '/step_templates/2/handler_config/url',
      '/step_templates/3/handler_class',
      '/step_templates/3/handler_config/url',
      '/step_templates/4/handler_class',
      '/step_templates/4/handler_config/url',
      '/custom_events',
    ]);
    // What was mapped: the class name to the handler that declares it, the URL to the service answering for it.
    expect(noticesOf(result).slice(2, 4)).toEqual([
      {
        path: '/step_templates/0/handler_class',
        message: "BlogExamples::Post03::StepHandlers::CreateUserAccountHandler → handler 'registration.create_user_account' (one of its aliases)",
      },
      { path: '/step_templates/0/handler_config/url', message: "calls service 'user', which answers for https://api.userservice.com" },
    ]);
    expect(result.notices[0]).toMatchObject({ line: 3, message: expect.stringContaining('accepted, has no effect here') });
    expect(result.notices[1]?.message).toContain('"user_management_system" is not a registered service');
  });

  it('reads every key: a namespaced name, no version, named_steps, default_context, environments, API steps', () => {
    const result = accepted(validateTemplate(readFixture('rails_every_key.yaml'), options));
    const { definition } = result;
    expect(definition).toMatchObject({
      namespace: 'api_task',
      name: 'integration_yaml_example',
      version: '0.1.0',
      defaultContext: { channel: 'web', flags: { gift_wrap: false } },
    });
    const [fetchCart, fetchProducts, validateProducts, createOrder] = definition.steps;
    expect(fetchCart).toMatchObject({
      handler: 'http',
      service: 'billing',
      handlerConfig: { service: 'billing', path: '/carts', method: 'POST', body: { cart_id: 1 } },
    });
    expect(fetchProducts).toMatchObject({ handler: 'http', service: 'preferences', skippable: true, handlerConfig: { path: '/' } });
    expect(validateProducts).toMatchObject({ handler: 'test.noop', dependsOn: ['fetch_products', 'fetch_cart'], retryable: false, retryLimit: 1 });
    // default_dependent_system names a service, and `environments.test` is picked.
    expect(createOrder).toMatchObject({ handler: 'registration.create_user_account', service: 'user', retryLimit: 2 });
    expect(noticesOf(result)).toEqual(
      expect.arrayContaining([
        { path: '/name', message: "read as namespace_name 'api_task' and name 'integration_yaml_example', as Tasker registers it" },
        { path: '/version', message: "not given: Tasker's default 0.1.0" },
        { path: '/module_namespace', message: expect.stringContaining('has no effect here') },
        { path: '/concurrent', message: expect.stringContaining('has no effect here') },
        { path: '/default_options', message: expect.stringContaining('has no effect here') },
        { path: '/default_dependent_system', message: "the service of every step that names none ('user')" },
        { path: '/step_templates/0/handler_class', message: expect.stringContaining("runs as the built-in 'http' handler on service 'billing'") },
        { path: '/step_templates/0/handler_config/headers', message: 'accepted, has no effect here' },
        { path: '/step_templates/0/dependent_system', message: expect.stringContaining('handler_config names service "billing"') },
        { path: '/step_templates/1/retry_backoff', message: expect.stringContaining('back off exponentially') },
        { path: '/step_templates/2/custom_events', message: expect.stringContaining('has no effect here') },
        { path: '/environments/test', message: expect.stringContaining('applied') },
        { path: '/environments/production', message: expect.stringContaining("applies only when SWITCHYARD_ENV (else NODE_ENV) is 'production'") },
      ]),
    );
  });

  it('picks the environment it is given', () => {
    const result = accepted(validateTemplate(readFixture('rails_every_key.yaml'), { ...options, environment: 'production' }));
    expect(result.definition.steps[3]?.retryLimit).toBe(9);
  });

  it('refuses a step missing from named_steps, as Tasker does', () => {
    const yaml = readFixture('rails_every_key.yaml').replace('  - create_order\n', '');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/step_templates/3/name', message: "step 'create_order' is not in named_steps (fetch_cart, fetch_products, validate_products)" },
    ]);
  });

  it('refuses a URL no service answers for, naming the variable to set', () => {
    const yaml = readFixture('user_registration_handler.yaml').replace(
      "url: 'https://api.userservice.com'\n\n",
      "url: 'https://users.internal.example'\n\n",
    );
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      {
        path: '/step_templates/0/handler_config/url',
        message:
          'no registered service answers for https://users.internal.example; set SERVICE_USER_ALIASES=https://users.internal.example (or SERVICE_<NAME>_ALIASES of the service that does; services: user, billing, preferences, notification)',
      },
    ]);
    const aliased = {
      ...options,
      serviceAliases: readServiceAliases({ SERVICE_USER_ALIASES: 'https://users.internal.example,https://api.userservice.com' }),
    };
    expect(validateTemplate(yaml, aliased).valid).toBe(true);
  });

  it('refuses an unknown class with the registered handlers and how to add an alias', () => {
    const yaml = readFixture('user_registration_handler.yaml').replace('CreateUserAccountHandler', 'CreateAccountHandler');
    const [error] = errorsOf(validateTemplate(yaml, options));
    expect(error?.path).toBe('/step_templates/0/handler_class');
    expect(error?.message).toContain(
      "unknown handler 'BlogExamples::Post03::StepHandlers::CreateAccountHandler'; registered: http, registration.create_user_account",
    );
    expect(error?.message).toContain("add 'BlogExamples::Post03::StepHandlers::CreateAccountHandler' to that handler's aliases");
  });

  it('refuses a name that cannot be read as namespace/name, and one that contradicts namespace_name', () => {
    const base = readFixture('rails_every_key.yaml');
    expect(errorsOf(validateTemplate(base.replace('name: api_task/integration_yaml_example', 'name: Api/Task/x'), options))[0]).toMatchObject({
      path: '/name',
      message: expect.stringContaining('write name: <name> and namespace_name: <namespace>'),
    });
    const contradicting = base.replace('module_namespace: ApiTask', 'namespace_name: other');
    expect(errorsOf(validateTemplate(contradicting, options))[0]).toMatchObject({
      path: '/name',
      message: expect.stringContaining('namespace_name is "other"'),
    });
  });

  it('refuses a string where Tasker wants a list of dependencies', () => {
    const yaml = readFixture('user_registration_handler.yaml').replace(
      "depends_on_steps: ['send_welcome_sequence']",
      'depends_on_steps: send_welcome_sequence',
    );
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([{ path: '/step_templates/4/depends_on_steps', message: 'must be array' }]);
  });
});

/** Keys Switchyard reads as its own (template-schema.ts): they need no notice. */
const OWN_KEYS = new Set([
  'name',
  'namespace_name',
  'version',
  'description',
  'schema',
  'step_templates',
  'default_context',
  'handler',
  'handler_class',
  'handler_config',
  'depends_on_step',
  'depends_on_steps',
  'default_retryable',
  'default_retry_limit',
  'timeout_seconds',
  'skippable',
]);
/** Tasker's names for our keys, renamed without a notice; every problem under them is still reported at the path as written. */
const RENAMED = new Set([
  'steps',
  'input_schema',
  'named_steps',
  'dependencies',
  'retry',
  'callable',
  'initialization',
  'retryable',
  'limit',
  'max_attempts',
  'backoff_base_ms',
  'max_backoff_ms',
]);

/** Every key path a fixture writes at the top level, in its steps, their `handler` and `retry`. */
function writtenKeys(value: Record<string, unknown>): string[] {
  const paths: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    paths.push(`/${key}`);
    if ((key === 'steps' || key === 'step_templates') && Array.isArray(child)) {
      child.forEach((step: Record<string, unknown>, index) => {
        for (const [stepKey, stepValue] of Object.entries(step)) {
          paths.push(`/${key}/${index}/${stepKey}`);
          if ((stepKey === 'handler' || stepKey === 'retry') && stepValue && typeof stepValue === 'object') {
            paths.push(...Object.keys(stepValue).map((inner) => `/${key}/${index}/${stepKey}/${inner}`));
          }
        }
      });
    }
  }
  return paths;
}

describe('every Tasker key is read or reported, never dropped', () => {
  it.each(['user_registration_handler.yaml', 'rails_every_key.yaml', 'core_current_format.yaml'])('%s', (file) => {
    const text = readFixture(file);
    const result = accepted(validateTemplate(text, options));
    const reported = noticePaths(result);
    const silent = writtenKeys(parseYaml(text) as Record<string, unknown>).filter((path) => {
      const key = path.split('/').at(-1) ?? '';
      const isReported = reported.some((notice) => notice === path || notice.startsWith(`${path}/`));
      return !isReported && !OWN_KEYS.has(key) && !RENAMED.has(key);
    });
    expect(silent).toEqual([]);
  });
});

describe("tasker-core's current format", () => {
  it('reads steps, input_schema, handler {callable, initialization}, dependencies, retry and system_dependency', () => {
    const result = accepted(validateTemplate(readFixture('core_current_format.yaml'), options));
    const { definition } = result;
    expect(definition.schema).toMatchObject({ required: ['amount'] });
    expect(
      definition.steps.map((step) => [step.name, step.handler, step.service, step.dependsOn, step.retryable, step.retryLimit, step.timeoutSeconds]),
    ).toEqual([
      ['validate_payment', 'test.noop', null, [], true, 3, 10],
      ['charge', 'registration.setup_billing_profile', 'billing', ['validate_payment'], true, 5, 10],
      ['notify', 'test.noop', null, ['charge'], false, 3, 10],
    ]);
    expect(definition.steps[0]?.backoff).toMatchObject({ baseSeconds: 1, maxSeconds: 30 });
    expect(noticePaths(result)).toEqual(
      expect.arrayContaining([
        '/metadata',
        '/task_handler',
        '/system_dependencies',
        '/domain_events',
        '/lifecycle',
        '/steps/0/type',
        '/steps/0/handler/method',
        '/steps/0/handler/resolver',
        '/steps/0/retry/backoff',
        '/steps/0/system_dependency',
        '/steps/1/handler/callable',
        '/steps/1/system_dependency',
        '/steps/1/retry/backoff',
        '/steps/1/publishes_events',
        '/steps/1/result_schema',
        '/environments/test',
      ]),
    );
    const byPath = new Map(noticesOf(result).map((notice) => [notice.path, notice.message]));
    // tasker-core keeps system_dependencies as a description; no step takes `primary` as its system.
    expect(byPath.get('/system_dependencies')).toContain('has no effect here');
    expect(byPath.get('/steps/0/system_dependency')).toContain('its handler takes no service');
    expect(byPath.get('/steps/1/system_dependency')).toBe("the step's service: 'billing'");
    expect(byPath.get('/steps/0/handler/method')).toContain('accepted');
    expect(byPath.get('/steps/0/handler/resolver')).toContain('has no effect here');
  });

  it("refuses tasker-core's dynamic step types, which create steps while the task runs", () => {
    const yaml = readFixture('core_current_format.yaml').replace(
      '    type: standard\n',
      '    type: decision\n    batch_config:\n      batch_size: 10\n',
    );
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/steps/0/type', message: expect.stringContaining("'decision' steps create or join steps while the task runs") },
      { path: '/steps/0/batch_config', message: expect.stringContaining('batch workers are created while the task runs') },
    ]);
    const unknown = readFixture('core_current_format.yaml').replace('    type: standard\n', '    step_type: sideways\n');
    expect(errorsOf(validateTemplate(unknown, options))).toEqual([
      { path: '/steps/0/step_type', message: 'must be one of standard, decision, deferred_convergence, batchable, batch_worker' },
    ]);
  });

  it('reports problems at the paths as written', () => {
    const yaml = readFixture('core_current_format.yaml')
      .replace('dependencies: [validate_payment]', 'dependencies: [validate]')
      .replace('limit: 3', 'limit: many')
      .replace('callable: test.noop\n    retry:\n      retryable: false', 'callable: Payments::Nope\n    retry:\n      retryable: false');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/steps/0/retry/limit', message: 'must be integer' },
      { path: '/steps/1/dependencies/0', message: "depends on unknown step 'validate'; steps: validate_payment, charge, notify" },
      { path: '/steps/2/handler/callable', message: expect.stringContaining("unknown handler 'Payments::Nope'") },
    ]);
  });
});
