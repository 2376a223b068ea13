import { describe, expect, it } from 'vitest';
import type { ErrorDetail } from '../errors';
import { defineStepHandler } from '../handlers/define-step-handler';
import { createHandlerRegistry } from '../handlers/index';
import { testHandlers } from '../handlers/test-handlers';
import { templateDag, validateTemplate, type TemplateValidation } from './validate-template';

const callService = defineStepHandler<{ service: string; path: string; method?: string }>({
  name: 'test.call',
  description: 'Stands in for a handler that calls a service.',
  configSchema: {
    type: 'object',
    required: ['service', 'path'],
    additionalProperties: false,
    properties: { service: { type: 'string' }, path: { type: 'string' }, method: { type: 'string', enum: ['GET', 'POST'], nullable: true } },
  },
  handle() {
    return Promise.resolve({});
  },
});

const options = {
  handlers: createHandlerRegistry([...testHandlers, callService]),
  services: ['user', 'billing', 'preferences', 'notification'],
};

const registration = `name: user_registration
namespace_name: blog_examples
version: 1.0.0
description: Orchestrated user registration across microservices
schema:
  type: object
  required: [user_info]
  properties:
    user_info:
      type: object
      required: [email]
      properties:
        email: { type: string, format: email }
        plan: { type: string, enum: [free, pro], default: free }
identity: { fields: [user_info.email] }
step_templates:
  - name: create_user_account
    description: Create user account in UserService
    handler: test.call
    handler_config: { service: user, path: /users }
    depends_on_steps: []
    default_retryable: true
    default_retry_limit: 5
    timeout_seconds: 10
    retry_backoff: { base_seconds: 2, max_seconds: 60, jitter: false }
    max_rate_limited_seconds: 600
  - name: setup_billing_profile
    handler_class: test.call
    handler_config: { service: billing, path: /profiles }
    depends_on_step: create_user_account
    skippable: true
  - name: send_welcome_sequence
    handler: test.noop
    depends_on_steps: [create_user_account, setup_billing_profile]
`;

/** A template with the given steps (YAML lines, indented under step_templates) and valid top-level keys. */
function withSteps(steps: string, top = ''): string {
  return `name: t\nversion: 1.0.0\n${top}step_templates:\n${steps}`;
}

function errorsOf(result: TemplateValidation): ErrorDetail[] {
  if (result.valid) {
    throw new Error('expected the template to be refused');
  }
  return result.errors;
}

describe('validateTemplate', () => {
  it('accepts a valid template and fills in every default', () => {
    const result = validateTemplate(registration, options);

    expect(result.errors).toEqual([]);
    if (!result.valid) {
      return;
    }
    expect(result.definition).toEqual({
      namespace: 'blog_examples',
      name: 'user_registration',
      version: '1.0.0',
      description: 'Orchestrated user registration across microservices',
      schema: expect.objectContaining({ type: 'object', required: ['user_info'] }) as unknown,
      identityFields: ['user_info.email'],
      steps: [
        {
          name: 'create_user_account',
          description: 'Create user account in UserService',
          handler: 'test.call',
          handlerConfig: { service: 'user', path: '/users' },
          service: 'user',
          dependsOn: [],
          retryable: true,
          retryLimit: 5,
          timeoutSeconds: 10,
          skippable: false,
          backoff: { baseSeconds: 2, maxSeconds: 60, jitter: false, maxRetryAfterSeconds: 300, maxRateLimitedSeconds: 600 },
        },
        {
          name: 'setup_billing_profile',
          description: null,
          handler: 'test.call',
          handlerConfig: { service: 'billing', path: '/profiles' },
          service: 'billing',
          dependsOn: ['create_user_account'],
          retryable: true,
          retryLimit: 3,
          timeoutSeconds: 30,
          skippable: true,
          backoff: { baseSeconds: 1, maxSeconds: 30, jitter: true, maxRetryAfterSeconds: 300, maxRateLimitedSeconds: 3600 },
        },
        expect.objectContaining({
          name: 'send_welcome_sequence',
          handler: 'test.noop',
          service: null,
          dependsOn: ['create_user_account', 'setup_billing_profile'],
        }) as unknown,
      ],
    });
    expect(result.dag).toEqual({
      nodes: [
        { id: 'create_user_account', label: 'create_user_account', handler: 'test.call', service: 'user' },
        { id: 'setup_billing_profile', label: 'setup_billing_profile', handler: 'test.call', service: 'billing' },
        { id: 'send_welcome_sequence', label: 'send_welcome_sequence', handler: 'test.noop', service: null },
      ],
      edges: [
        { source: 'create_user_account', target: 'setup_billing_profile' },
        { source: 'create_user_account', target: 'send_welcome_sequence' },
        { source: 'setup_billing_profile', target: 'send_welcome_sequence' },
      ],
    });
    expect(templateDag(result.definition)).toEqual(result.dag);
  });

  it('defaults the namespace and the schema, and does not add handler schema defaults to handler_config', () => {
    const result = validateTemplate(withSteps('  - name: a\n    handler: test.fail\n    handler_config: { kind: permanent }\n'), options);
    expect(result.valid).toBe(true);
    if (result.valid) {
      expect(result.definition.namespace).toBe('default');
      expect(result.definition.schema).toEqual({ type: 'object' });
      expect(result.definition.identityFields).toEqual([]);
      expect(result.definition.steps[0]?.handlerConfig).toEqual({ kind: 'permanent' });
    }
  });

  it('refuses an unknown top-level key and an unknown step key, at their lines', () => {
    const yaml = withSteps('  - name: a\n    handler: test.noop\n    retries: 3\n', 'owner: X\n');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/owner', message: "unknown key 'owner'", line: 3 },
      { path: '/step_templates/0/retries', message: "unknown key 'retries'", line: 7 },
    ]);
  });

  it('refuses bad types', () => {
    const yaml = withSteps(
      '  - name: a\n    handler: test.noop\n    default_retryable: "yes"\n    default_retry_limit: 0\n    timeout_seconds: 0\n    depends_on_steps: a\n',
      'description: 12\n',
    );
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/description', message: 'must be string or null', line: 3 },
      { path: '/step_templates/0/default_retryable', message: 'must be boolean', line: 7 },
      { path: '/step_templates/0/default_retry_limit', message: 'must be >= 1', line: 8 },
      { path: '/step_templates/0/timeout_seconds', message: 'must be > 0', line: 9 },
      { path: '/step_templates/0/depends_on_steps', message: 'must be array', line: 10 },
    ]);
  });

  it('refuses a name, namespace or step name outside [a-z0-9_]', () => {
    const yaml = 'name: User-Registration\nnamespace_name: Blog\nversion: 1.0.0\nstep_templates:\n  - name: Create Account\n    handler: test.noop\n';
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/name', message: "must match pattern '^[a-z0-9_]+$'", line: 1 },
      { path: '/namespace_name', message: "must match pattern '^[a-z0-9_]+$'", line: 2 },
      { path: '/step_templates/0/name', message: "must match pattern '^[a-z0-9_]+$'", line: 5 },
    ]);
  });

  it('refuses a version that is not semver, including one YAML reads as a number or a date', () => {
    const messageFor = (version: string) =>
      errorsOf(validateTemplate(`name: t\nversion: ${version}\nstep_templates:\n  - name: a\n    handler: test.noop\n`, options));
    expect(messageFor('1.0')).toEqual([{ path: '/version', message: 'must be string', line: 2 }]);
    expect(messageFor('"1.0"')).toEqual([{ path: '/version', message: 'must be a semantic version x.y.z (e.g. 1.0.0 or 1.0.0-beta.1)', line: 2 }]);
    expect(messageFor('2024-01-01')[0]?.path).toBe('/version');
    expect(validateTemplate(withSteps('  - name: a\n    handler: test.noop\n').replace('1.0.0', '2.1.0-beta.1'), options).valid).toBe(true);
  });

  it('refuses a missing required key on its parent’s line', () => {
    expect(errorsOf(validateTemplate('name: t\nversion: 1.0.0\n', options))).toEqual([{ path: '/step_templates', message: 'is required', line: 1 }]);
    expect(errorsOf(validateTemplate(withSteps('  - description: no name\n    handler: test.noop\n'), options))).toEqual([
      { path: '/step_templates/0/name', message: 'is required', line: 4 },
    ]);
  });

  it('refuses an empty step list and a template that is not a mapping', () => {
    expect(errorsOf(validateTemplate('name: t\nversion: 1.0.0\nstep_templates: []\n', options))).toEqual([
      { path: '/step_templates', message: 'must NOT have fewer than 1 items', line: 3 },
    ]);
    expect(errorsOf(validateTemplate('- a\n- b\n', options))).toEqual([{ path: '', message: 'must be object', line: 1 }]);
  });

  it('refuses duplicate step names', () => {
    const yaml = withSteps('  - name: a\n    handler: test.noop\n  - name: b\n    handler: test.noop\n  - name: a\n    handler: test.noop\n');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/step_templates/2/name', message: "duplicate step name 'a' (also step 0)", line: 8 },
    ]);
  });

  it('refuses a dependency on a missing step, in both spellings', () => {
    const yaml = withSteps(
      '  - name: a\n    handler: test.noop\n  - name: b\n    handler: test.noop\n    depends_on_steps: [a, nope]\n    depends_on_step: gone\n',
    );
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/step_templates/1/depends_on_steps/1', message: "depends on unknown step 'nope'; steps: a, b", line: 8 },
      { path: '/step_templates/1/depends_on_step', message: "depends on unknown step 'gone'; steps: a, b", line: 9 },
    ]);
  });

  it('refuses a self-dependency', () => {
    const yaml = withSteps('  - name: a\n    handler: test.noop\n    depends_on_steps:\n      - a\n');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/step_templates/0/depends_on_steps/0', message: "step 'a' cannot depend on itself", line: 7 },
    ]);
  });

  it('names a 3-step cycle in running order and still returns the DAG', () => {
    const yaml = withSteps(
      [
        '  - name: start',
        '    handler: test.noop',
        '  - name: a',
        '    handler: test.noop',
        '    depends_on_steps: [start, c]',
        '  - name: b',
        '    handler: test.noop',
        '    depends_on_step: a',
        '  - name: c',
        '    handler: test.noop',
        '    depends_on_steps: [b]',
        '  - name: after',
        '    handler: test.noop',
        '    depends_on_steps: [c]',
        '',
      ].join('\n'),
    );
    const result = validateTemplate(yaml, options);
    expect(errorsOf(result)).toEqual([{ path: '/step_templates/1/depends_on_steps/1', message: 'cycle: a → b → c → a', line: 8 }]);
    expect(result.dag?.nodes.map((node) => node.id)).toEqual(['start', 'a', 'b', 'c', 'after']);
    expect(result.dag?.edges).toEqual(
      expect.arrayContaining([
        { source: 'c', target: 'a' },
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
      ]),
    );
  });

  it('names every separate cycle', () => {
    const yaml = withSteps(
      [
        '  - { name: a, handler: test.noop, depends_on_step: b }',
        '  - { name: b, handler: test.noop, depends_on_step: a }',
        '  - { name: c, handler: test.noop, depends_on_steps: [a, d] }',
        '  - { name: d, handler: test.noop, depends_on_step: c }',
        '',
      ].join('\n'),
    );
    expect(errorsOf(validateTemplate(yaml, options)).map((error) => error.message)).toEqual(['cycle: a → b → a', 'cycle: c → d → c']);
  });

  it('refuses an unknown handler, and a step with neither or both of handler and handler_class', () => {
    const yaml = withSteps(
      '  - name: a\n    handler: registration.nope\n  - name: b\n  - name: c\n    handler: test.noop\n    handler_class: test.noop\n',
    );
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      {
        path: '/step_templates/0/handler',
        message:
          "unknown handler 'registration.nope'; registered: test.call, test.echo, test.fail, test.hang, test.noop, test.sleep. To run a Tasker class with one of them, add 'registration.nope' to that handler's aliases (defineStepHandler({ aliases }))",
        line: 5,
      },
      { path: '/step_templates/1/handler', message: 'is required (or its alias handler_class)', line: 6 },
      { path: '/step_templates/2/handler_class', message: 'give either handler or handler_class (its alias), not both', line: 9 },
    ]);
  });

  it('checks handler_config against the handler’s schema', () => {
    const yaml = withSteps(
      '  - name: a\n    handler: test.sleep\n    handler_config:\n      ms: -1\n      extra: true\n  - name: b\n    handler_class: test.fail\n    handler_config: { kind: sometimes }\n',
    );
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/step_templates/0/handler_config/ms', message: 'must be >= 0', line: 7 },
      { path: '/step_templates/0/handler_config/extra', message: "unknown key 'extra'", line: 8 },
      { path: '/step_templates/1/handler_config/kind', message: "must be one of: 'permanent', 'retryable', 'unknown'", line: 11 },
    ]);
  });

  it('reports a missing handler_config key on the handler_config line', () => {
    const yaml = withSteps('  - name: a\n    handler: test.sleep\n');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([{ path: '/step_templates/0/handler_config/ms', message: 'is required', line: 4 }]);
  });

  it('refuses an unknown service', () => {
    const yaml = withSteps('  - name: a\n    handler: test.call\n    handler_config: { service: shipping, path: /x }\n');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      {
        path: '/step_templates/0/handler_config/service',
        message: "unknown service 'shipping'; known: user, billing, preferences, notification",
        line: 6,
      },
    ]);
  });

  it('refuses an invalid JSON Schema, with paths under /schema', () => {
    const yaml = withSteps('  - name: a\n    handler: test.noop\n', 'schema:\n  type: object\n  properties:\n    email: { type: strang }\n');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      {
        path: '/schema/properties/email/type',
        message: "must be one of: 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'",
        line: 6,
      },
    ]);
  });

  it("keeps a compensation's skip_when, and refuses a bad one or a field the results_schema does not allow, with paths", () => {
    const step = (skipWhen: string, resultsSchema = '') =>
      withSteps(`  - name: a\n    handler: test.noop\n${resultsSchema}    compensation:\n      handler: test.noop\n      skip_when: ${skipWhen}\n`);
    const valid = validateTemplate(step('{ already_existed: true }'), options);
    expect(valid.errors).toEqual([]);
    expect(valid.valid && valid.definition.steps[0]?.compensation).toMatchObject({ handler: 'test.noop', skipWhen: { already_existed: true } });
    const without = validateTemplate(withSteps('  - name: a\n    handler: test.noop\n    compensation: { handler: test.noop }\n'), options);
    expect(without.valid && Object.hasOwn(without.definition.steps[0]?.compensation ?? {}, 'skipWhen')).toBe(false);

    expect(errorsOf(validateTemplate(step('{}'), options)).map((error) => error.path)).toEqual(['/step_templates/0/compensation/skip_when']);
    expect(errorsOf(validateTemplate(step('{ already_existed: [true] }'), options)).map((error) => error.path)).toEqual([
      '/step_templates/0/compensation/skip_when/already_existed',
    ]);
    expect(errorsOf(validateTemplate(step('true'), options)).map((error) => error.path)).toEqual(['/step_templates/0/compensation/skip_when']);
    const closed = '    results_schema: { type: object, additionalProperties: false, properties: { id: { type: string } } }\n';
    expect(errorsOf(validateTemplate(step('{ already_existed: true }', closed), options))).toEqual([
      {
        path: '/step_templates/0/compensation/skip_when/already_existed',
        message: "'already_existed' is not a field of the step's results: its results_schema allows only id",
        line: expect.any(Number) as number,
      },
    ]);
  });

  it("keeps a step's results_schema in the definition, and refuses one that is not a JSON Schema, with paths under the step", () => {
    const valid = validateTemplate(
      withSteps(
        '  - name: a\n    handler: test.noop\n    results_schema:\n      type: object\n      required: [id]\n      properties: { id: { type: string } }\n',
      ),
      options,
    );
    expect(valid.valid && valid.definition.steps[0]?.resultsSchema).toEqual({
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' } },
    });
    const without = validateTemplate(withSteps('  - name: a\n    handler: test.noop\n'), options);
    expect(without.valid && Object.hasOwn(without.definition.steps[0] ?? {}, 'resultsSchema')).toBe(false);

    const badType = withSteps('  - name: a\n    handler: test.noop\n    results_schema:\n      properties: { id: { type: strang } }\n');
    expect(errorsOf(validateTemplate(badType, options))).toEqual([
      {
        path: '/step_templates/0/results_schema/properties/id/type',
        message: "must be one of: 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'",
        line: 7,
      },
    ]);
    const badFormat = withSteps('  - name: a\n    handler: test.noop\n    results_schema: { properties: { at: { format: dait } } }\n');
    expect(errorsOf(validateTemplate(badFormat, options))).toEqual([
      { path: '/step_templates/0/results_schema/properties/at', message: "unknown format 'dait'", line: 6 },
    ]);
    const notObject = withSteps('  - name: a\n    handler: test.noop\n    results_schema: [id]\n');
    expect(errorsOf(validateTemplate(notObject, options))).toEqual([
      { path: '/step_templates/0/results_schema', message: 'must be object', line: 6 },
    ]);
  });

  it('refuses a schema that compiles badly, and one whose root is not an object', () => {
    const badFormat = withSteps('  - name: a\n    handler: test.noop\n', 'schema:\n  properties:\n    email: { format: emial }\n');
    expect(errorsOf(validateTemplate(badFormat, options))).toEqual([
      { path: '/schema/properties/email', message: "unknown format 'emial'", line: 5 },
    ]);
    const notObject = withSteps('  - name: a\n    handler: test.noop\n', 'schema: { type: string }\n');
    expect(errorsOf(validateTemplate(notObject, options))).toEqual([
      { path: '/schema/type', message: "a task's context is an object: must be 'object'", line: 3 },
    ]);
  });

  it('refuses an identity field that the schema does not declare', () => {
    const yaml = withSteps(
      '  - name: a\n    handler: test.noop\n',
      'schema:\n  type: object\n  properties:\n    user_info:\n      type: object\n      properties: { name: { type: string } }\nidentity:\n  fields:\n    - user_info.name\n    - user_info.email\n    - order_id\n',
    );
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      {
        path: '/identity/fields/1',
        message: "'user_info.email' is not declared in the schema (no property 'email' under /schema/properties/user_info)",
        line: 12,
      },
      { path: '/identity/fields/2', message: "'order_id' is not declared in the schema (no property 'order_id' under /schema)", line: 13 },
    ]);
  });

  it('refuses identity fields when there is no schema to declare them', () => {
    const yaml = withSteps('  - name: a\n    handler: test.noop\n', 'identity: { fields: [email] }\n');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/identity/fields/0', message: "'email' is not declared in the schema (no property 'email' under /schema)", line: 3 },
    ]);
  });

  it('finds identity fields through local $refs and allOf', () => {
    const yaml = withSteps(
      '  - name: a\n    handler: test.noop\n',
      'schema:\n  type: object\n  definitions:\n    user: { type: object, properties: { email: { type: string } } }\n  allOf:\n    - properties:\n        user_info: { $ref: "#/definitions/user" }\nidentity: { fields: [user_info.email] }\n',
    );
    expect(validateTemplate(yaml, options).errors).toEqual([]);
  });

  it('refuses a retry backoff whose maximum is below its base', () => {
    const yaml = withSteps('  - name: a\n    handler: test.noop\n    retry_backoff: { base_seconds: 60 }\n');
    expect(errorsOf(validateTemplate(yaml, options))).toEqual([
      { path: '/step_templates/0/retry_backoff/base_seconds', message: 'max_seconds (30) must be at least base_seconds (60)', line: 6 },
    ]);
  });

  it('reports YAML problems without a DAG', () => {
    const result = validateTemplate('name: t\nversion: &v 1.0.0\nother: *v\n', options);
    expect(result.dag).toBeNull();
    expect(errorsOf(result)).toEqual([{ path: '/version', message: 'YAML anchors and aliases are not allowed; write the value out', line: 2 }]);
    expect(errorsOf(validateTemplate('name: x\n  bad: indent\n', options))[0]?.line).toBe(2);
    expect(errorsOf(validateTemplate('name: !!js/function "f"\n', options))[0]?.path).toBe('/name');
    expect(errorsOf(validateTemplate('"__proto__": {}\nname: t\n', options))[0]).toEqual({
      path: '/__proto__',
      message: "key '__proto__' is not allowed",
      line: 1,
    });
  });

  it('reports several problems of different kinds at once, sorted by line', () => {
    const yaml = [
      'name: Bad-Name',
      'version: one',
      'colour: blue',
      'schema: { type: object, properties: { a: { type: strang } } }',
      'step_templates:',
      '  - name: a',
      '    handler: nope',
      '    depends_on_steps: [missing]',
      '  - name: a',
      '    handler: test.call',
      '    handler_config: { service: shipping }',
      '',
    ].join('\n');
    const errors = errorsOf(validateTemplate(yaml, options));
    expect(errors.map((error) => [error.path, error.line])).toEqual([
      ['/name', 1],
      ['/version', 2],
      ['/colour', 3],
      ['/schema/properties/a/type', 4],
      ['/step_templates/0/handler', 7],
      ['/step_templates/0/depends_on_steps/0', 8],
      ['/step_templates/1/name', 9],
      ['/step_templates/1/handler_config/path', 11],
      ['/step_templates/1/handler_config/service', 11],
    ]);
  });

  it('returns a DAG for an invalid template whose steps can be read', () => {
    const result = validateTemplate(
      withSteps('  - name: a\n    handler: nope\n  - name: b\n    handler: test.noop\n    depends_on_step: a\n'),
      options,
    );
    expect(result.valid).toBe(false);
    expect(result.dag).toEqual({
      nodes: [
        { id: 'a', label: 'a', handler: 'nope', service: null },
        { id: 'b', label: 'b', handler: 'test.noop', service: null },
      ],
      edges: [{ source: 'a', target: 'b' }],
    });
  });
});
