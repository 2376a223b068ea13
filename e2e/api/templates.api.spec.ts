import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { SavedTemplateVersion, TemplateDetail, TemplateList, TemplateValidationResult, TemplateVersionDetail } from '../../lib/api/types';
import { expectError, NAMESPACE } from './http-api';

const yaml = { 'content-type': 'application/yaml' };

function templateYaml(name: string, version: string, handler = 'test.noop'): string {
  return `name: ${name}
namespace_name: ${NAMESPACE}
version: ${version}
description: saved by the templates API test
step_templates:
  - name: first
    handler: ${handler}
  - name: second
    handler: test.noop
    depends_on_steps: [first]
`;
}

test('lists templates, shows one with its versions and DAG, and one version with its YAML', async ({ request }) => {
  const list = (await (await request.get('/api/v1/templates')).json()) as TemplateList;
  const registration = list.items.find((item) => item.namespace === 'blog_examples' && item.name === 'user_registration');
  expect(registration).toMatchObject({ version: '1.3.0', step_count: 5, active: true, versions: ['1.3.0'] });

  const detail = (await (await request.get('/api/v1/templates/blog_examples/user_registration')).json()) as TemplateDetail;
  expect(detail.version).toBe('1.3.0');
  expect(detail.dag.nodes.map((node) => node.id)).toContain('send_welcome_sequence');
  expect(detail.dag.edges).toContainEqual({ source: 'create_user_account', target: 'setup_billing_profile' });

  const version = (await (await request.get('/api/v1/templates/blog_examples/user_registration/1.3.0')).json()) as TemplateVersionDetail;
  expect(version.yaml).toContain('name: user_registration');
  expect(version.definition).toMatchObject({ namespace: 'blog_examples', name: 'user_registration' });
  expect(version.dag.nodes).toHaveLength(5);

  await expectError(await request.get('/api/v1/templates/blog_examples/nope'), 404, 'not_found');
  await expectError(await request.get('/api/v1/templates/blog_examples/user_registration/9.9.9'), 404, 'not_found');
});

test('validates a template without saving it: every problem with its path and line, and the DAG', async ({ request }) => {
  const name = `check_${randomUUID().slice(0, 8)}`;
  const valid = (await (
    await request.post('/api/v1/templates/validate', { headers: yaml, data: templateYaml(name, '1.0.0') })
  ).json()) as TemplateValidationResult;
  expect(valid).toMatchObject({ valid: true, errors: [] });
  expect(valid.dag?.edges).toEqual([{ source: 'first', target: 'second' }]);

  const broken = `name: ${name}\nversion: 1.0.0\nbogus: true\nstep_templates:\n  - name: a\n    handler: no.such\n    depends_on_steps: [b]\n  - name: b\n    handler: test.noop\n    depends_on_steps: [a]\n`;
  const invalid = (await (
    await request.post('/api/v1/templates/validate', { headers: { 'content-type': 'text/yaml' }, data: broken })
  ).json()) as TemplateValidationResult;
  expect(invalid.valid).toBe(false);
  expect(invalid.errors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ path: '/bogus', line: 3 }),
      expect.objectContaining({ path: '/step_templates/0/handler', line: 6 }),
      expect.objectContaining({ message: expect.stringContaining('cycle') }),
    ]),
  );
  expect(((await (await request.get('/api/v1/templates')).json()) as TemplateList).items).not.toContainEqual(expect.objectContaining({ name }));

  await expectError(
    await request.post('/api/v1/templates/validate', { headers: { 'content-type': 'application/json' }, data: Buffer.from('{}') }),
    415,
    'unsupported_media_type',
  );
  await expectError(
    await request.post('/api/v1/templates/validate', { headers: yaml, data: `description: ${'x'.repeat(1024 * 1024)}` }),
    413,
    'payload_too_large',
  );
  await expectError(
    await request.post('/api/v1/templates/validate', { headers: yaml, data: Buffer.from([0x6e, 0x3a, 0x20, 0xff, 0xfe]) }),
    400,
    'malformed',
  );
});

test('saves a version (201), again with the same content (200), refuses other content under it (409) and an invalid one (422)', async ({
  request,
}) => {
  const name = `saved_${randomUUID().slice(0, 8)}`;
  const first = await request.post('/api/v1/templates', { headers: yaml, data: templateYaml(name, '1.0.0') });
  expect(first.status(), await first.text()).toBe(201);
  expect((await first.json()) as SavedTemplateVersion).toMatchObject({
    namespace: NAMESPACE,
    name,
    version: '1.0.0',
    created: true,
    active: true,
    created_by: 'local',
  });

  const again = await request.post('/api/v1/templates', { headers: yaml, data: `# same steps, another comment\n${templateYaml(name, '1.0.0')}` });
  expect(again.status()).toBe(200);
  expect(((await again.json()) as SavedTemplateVersion).created).toBe(false);

  const conflict = await expectError(
    await request.post('/api/v1/templates', { headers: yaml, data: templateYaml(name, '1.0.0', 'test.echo') }),
    409,
    'conflict',
  );
  expect(conflict.details).toEqual([{ path: '/version', message: 'already exists with other content' }]);

  const newer = await request.post('/api/v1/templates', { headers: yaml, data: templateYaml(name, '1.1.0', 'test.echo') });
  expect(newer.status()).toBe(201);
  const detail = (await (await request.get(`/api/v1/templates/${NAMESPACE}/${name}`)).json()) as TemplateDetail;
  expect(detail.version).toBe('1.1.0');
  expect(detail.versions.map((version) => (typeof version === 'string' ? version : version.version))).toEqual(['1.1.0', '1.0.0']);

  const invalid = await expectError(
    await request.post('/api/v1/templates', { headers: yaml, data: templateYaml(name, 'one', 'no.such') }),
    422,
    'invalid_template',
  );
  expect(invalid.details.map((detail) => detail.path).sort()).toEqual(['/step_templates/0/handler', '/version']);
  expect(invalid.details.every((detail) => typeof detail.line === 'number')).toBe(true);
  await expectError(await request.post('/api/v1/templates', { headers: yaml, data: 'a: &x [1]\nb: *x\n' }), 422, 'invalid_template');
  await expectError(await request.post('/api/v1/templates', { data: { name } }), 415, 'unsupported_media_type');
  await expectError(
    await request.post('/api/v1/templates', { headers: yaml, data: `description: ${'x'.repeat(1024 * 1024)}` }),
    413,
    'payload_too_large',
  );
  await expectError(await request.post('/api/v1/templates', { headers: yaml, data: '' }), 400, 'malformed');
});
