import { describe, expect, it } from 'vitest';
import { checkEmail, contextPointerOf, defaultValueOf, fieldKind, isCheckedByDefault, writeAt } from './schema-form-model';
import { countChanges, sideBySideDiff } from './side-by-side-diff';
import { cycleMarks, cyclesOfProblems } from './template-problems';
import { readTemplateName, readTemplateNamespace, readTemplateVersion, withTemplateVersion } from './template-yaml';

describe('template YAML edits', () => {
  const yaml = 'name: refund # the name\nnamespace_name: "payments"\nversion: 1.0.0\nstep_templates: []\n';
  it('reads the top-level name, namespace and version', () => {
    expect(readTemplateName(yaml)).toBe('refund');
    expect(readTemplateNamespace(yaml)).toBe('payments');
    expect(readTemplateVersion(yaml)).toBe('1.0.0');
    expect(readTemplateNamespace('name: x\n')).toBe('default');
  });
  it('sets the version in place, or adds it after the name', () => {
    expect(withTemplateVersion(yaml, '1.0.1')).toBe(yaml.replace('version: 1.0.0', 'version: 1.0.1'));
    expect(withTemplateVersion('name: x\nstep_templates: []\n', '2.0.0')).toBe('name: x\nversion: 2.0.0\nstep_templates: []\n');
  });
  it('does not mistake a nested version for the top-level one', () => {
    expect(readTemplateVersion('name: x\nschema:\n  version: 3\n')).toBeUndefined();
  });
});

describe('cycles named by the validator', () => {
  const problems = [
    { path: '/step_templates/0/depends_on_steps/0', message: 'cycle: a → b → c → a', line: 4 },
    { path: '/x', message: 'other' },
  ];
  it('lists each cycle and marks its steps and edges in running order', () => {
    expect(cyclesOfProblems(problems)).toEqual([['a', 'b', 'c']]);
    const marks = cycleMarks(problems);
    expect([...marks.steps]).toEqual(['a', 'b', 'c']);
    expect([...marks.edges]).toEqual(['a>b', 'b>c', 'c>a']);
  });
});

describe('side-by-side diff', () => {
  it('pairs a changed line with its replacement and leaves gaps for the rest', () => {
    const rows = sideBySideDiff('a\nb\nc\n', 'a\nB\nc\nd\n');
    expect(rows.map((row) => [row.kind, row.left?.text ?? null, row.right?.text ?? null])).toEqual([
      ['same', 'a', 'a'],
      ['changed', 'b', 'B'],
      ['same', 'c', 'c'],
      ['added', null, 'd'],
    ]);
    expect(countChanges(rows)).toEqual({ added: 2, removed: 1 });
  });
});

describe('the Try it form model', () => {
  const schema = {
    type: 'object',
    properties: {
      customer: { type: 'object', properties: { email: { type: 'string', format: 'email' }, tier: { enum: ['free', 'pro'], default: 'free' } } },
      notify: { type: 'boolean', default: true },
      tags: { type: 'array' },
    },
  };
  it('picks a field for each schema and fills in defaults, nested ones too', () => {
    expect(fieldKind(schema)).toBe('object');
    expect(fieldKind(schema.properties.customer.properties.email)).toBe('email');
    expect(fieldKind(schema.properties.customer.properties.tier)).toBe('enum');
    expect(fieldKind(schema.properties.tags)).toBe('json');
    expect(defaultValueOf(schema)).toEqual({ customer: { tier: 'free' }, notify: true });
  });
  it('writes and removes values by path without changing the original', () => {
    const original = { customer: { tier: 'free' } };
    expect(writeAt(original, ['customer', 'email'], 'a@b.co')).toEqual({ customer: { tier: 'free', email: 'a@b.co' } });
    expect(writeAt(original, ['customer', 'tier'], undefined)).toEqual({ customer: {} });
    expect(original).toEqual({ customer: { tier: 'free' } });
  });
  it('checks e-mail addresses as you type and maps 422 paths to fields', () => {
    expect(checkEmail('')).toBeUndefined();
    expect(checkEmail('ann@example.com')).toBeUndefined();
    expect(checkEmail('ann@')).toMatch(/e-mail address/);
    expect(contextPointerOf('/context/customer/email')).toBe('/customer/email');
    expect(contextPointerOf('/version')).toBeUndefined();
  });
});

describe('a boolean field of Try it', () => {
  it('shows its default while it has no value, and its value once it has one', () => {
    expect(isCheckedByDefault(undefined, { type: 'boolean', default: true })).toBe(true);
    expect(isCheckedByDefault(undefined, { type: 'boolean' })).toBe(false);
    expect(isCheckedByDefault(false, { type: 'boolean', default: true })).toBe(false);
    expect(isCheckedByDefault(true, { type: 'boolean' })).toBe(true);
  });
});
