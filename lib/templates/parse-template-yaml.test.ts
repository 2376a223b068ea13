import { describe, expect, it } from 'vitest';
import { findLine, MAX_TEMPLATE_BYTES, parseTemplateYaml } from './parse-template-yaml';

const template = `# comment
name: user_registration
version: 1.0.0
schema:
  type: object
  properties:
    user_info: { type: object }
step_templates:
  - name: create_user_account
    handler: test.noop
    depends_on_steps: []
  - name: send_welcome
    description: |
      Sends the welcome
      sequence
    handler: test.noop
    depends_on_steps:
      - create_user_account
      - "quoted"
`;

function parseOrThrow(text: string) {
  const result = parseTemplateYaml(text);
  if (!result.ok) {
    throw new Error(JSON.stringify(result.errors));
  }
  return result;
}

function errorsOf(text: string) {
  const result = parseTemplateYaml(text);
  if (result.ok) {
    throw new Error('expected the YAML to be refused');
  }
  return result.errors;
}

describe('parseTemplateYaml', () => {
  it('parses plain JSON values', () => {
    const { value } = parseOrThrow(template);
    expect(value).toMatchObject({
      name: 'user_registration',
      version: '1.0.0',
      step_templates: [
        { name: 'create_user_account', depends_on_steps: [] },
        { name: 'send_welcome', description: 'Sends the welcome\nsequence\n', depends_on_steps: ['create_user_account', 'quoted'] },
      ],
    });
  });

  it('maps every path to the line of its key or item', () => {
    const { lines } = parseOrThrow(template);
    expect(lines.get('')).toBe(2);
    expect(lines.get('/name')).toBe(2);
    expect(lines.get('/version')).toBe(3);
    expect(lines.get('/schema')).toBe(4);
    expect(lines.get('/schema/properties/user_info')).toBe(7);
    expect(lines.get('/schema/properties/user_info/type')).toBe(7);
    expect(lines.get('/step_templates')).toBe(8);
    expect(lines.get('/step_templates/0')).toBe(9);
    expect(lines.get('/step_templates/0/name')).toBe(9);
    expect(lines.get('/step_templates/0/depends_on_steps')).toBe(11);
    expect(lines.get('/step_templates/1')).toBe(12);
    expect(lines.get('/step_templates/1/description')).toBe(13);
    expect(lines.get('/step_templates/1/handler')).toBe(16);
    expect(lines.get('/step_templates/1/depends_on_steps/0')).toBe(18);
    expect(lines.get('/step_templates/1/depends_on_steps/1')).toBe(19);
  });

  it('maps flow collections item by item', () => {
    const { lines } = parseOrThrow('a: [x, {b: 1,\n  c: 2}]\n');
    expect(lines.get('/a/0')).toBe(1);
    expect(lines.get('/a/1/b')).toBe(1);
    expect(lines.get('/a/1/c')).toBe(2);
  });

  it('escapes keys in paths as JSON Pointer does', () => {
    const { lines } = parseOrThrow('"a/b": 1\n"c~d": 2\n');
    expect(lines.get('/a~1b')).toBe(1);
    expect(lines.get('/c~0d')).toBe(2);
  });

  it('finds the line of a missing key on its parent', () => {
    const { lines } = parseOrThrow(template);
    expect(findLine(lines, '/step_templates/1/retry_backoff/base_seconds')).toBe(12);
    expect(findLine(lines, '/nothing/here')).toBe(2);
  });

  it('keeps dates, version-like values and YAML 1.1 booleans as strings', () => {
    const { value } = parseOrThrow('version: 2024-01-01\nat: 2024-01-01T10:00:00Z\nflag: yes\nhex: 0x1F\nempty: ~\nn: null\nf: 1.5\nb: true\n');
    expect(value).toEqual({ version: '2024-01-01', at: '2024-01-01T10:00:00Z', flag: 'yes', hex: '0x1F', empty: '~', n: null, f: 1.5, b: true });
  });

  it('reports a syntax error with its 1-based line', () => {
    expect(errorsOf('name: x\nstep_templates:\n  - name: a\n   handler: b\n')).toEqual([
      { path: '', message: expect.stringContaining('YAML: ') as string, line: 4 },
    ]);
    expect(errorsOf('a: [1, 2\nb: 3\n')[0]?.line).toBe(2);
  });

  it('reports a duplicate key at its path and line', () => {
    expect(errorsOf('name: a\nversion: 1.0.0\nname: b\n')).toEqual([{ path: '/name', message: 'YAML: duplicated mapping key', line: 3 }]);
  });

  it('refuses a billion-laughs bomb quickly', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...'bcdefghi'.split('').map((name, index) => {
        const previous = 'abcdefgh'[index] ?? 'a';
        return `${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`;
      }),
    ].join('\n');
    const started = performance.now();

    const errors = errorsOf(bomb);

    expect(performance.now() - started).toBeLessThan(500);
    expect(errors).toEqual([{ path: '/a', message: 'YAML anchors and aliases are not allowed; write the value out', line: 1 }]);
  });

  it('refuses an anchor even without an alias, and an alias to a scalar', () => {
    expect(errorsOf('a:\n  b: &x 1\n')).toEqual([{ path: '/a/b', message: expect.stringContaining('anchors and aliases') as string, line: 2 }]);
    expect(errorsOf('a: 1\nb: *x\n')[0]?.message).toMatch(/anchors and aliases|unidentified alias/);
  });

  it('refuses custom and non-JSON tags', () => {
    expect(errorsOf('a: !!js/function "function () { return 1 }"\n')).toEqual([
      { path: '/a', message: expect.stringContaining("YAML tag '!!js/function' is not allowed") as string, line: 1 },
    ]);
    expect(errorsOf('a:\n  - !custom x\n')).toEqual([{ path: '/a/0', message: expect.stringContaining("'!custom'") as string, line: 2 }]);
    expect(errorsOf('at: !!timestamp 2024-01-01\n')[0]?.path).toBe('/at');
    expect(errorsOf('s: !!set {a}\n')[0]?.path).toBe('/s');
  });

  it('accepts the JSON tags, which change nothing', () => {
    expect(parseOrThrow('a: !!str 12\nb: !!int "3"\n').value).toEqual({ a: '12', b: 3 });
  });

  it('refuses prototype keys, quoted or not, at any depth', () => {
    expect(errorsOf('"__proto__": {x: 1}\na:\n  constructor: 1\n  b: [{prototype: 2}]\n')).toEqual([
      { path: '/__proto__', message: "key '__proto__' is not allowed", line: 1 },
      { path: '/a/constructor', message: "key 'constructor' is not allowed", line: 3 },
      { path: '/a/b/0/prototype', message: "key 'prototype' is not allowed", line: 4 },
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses complex keys', () => {
    expect(errorsOf('? [a, b]\n: 1\n')[0]?.message).toBe('mapping keys must be plain strings');
  });

  it('refuses several documents and an empty text', () => {
    expect(errorsOf('a: 1\n---\nb: 2\n')).toEqual([{ path: '', message: 'a template is one YAML document; remove the second `---`' }]);
    expect(errorsOf('# nothing\n')).toEqual([{ path: '', message: 'the template is empty', line: 1 }]);
  });

  it('refuses deep nesting', () => {
    const deep = `a: ${'['.repeat(80)}${']'.repeat(80)}\n`;
    expect(errorsOf(deep)[0]?.message).toContain('maxDepth');
  });

  it('refuses a text over 1 MiB', () => {
    const big = `description: "${'x'.repeat(MAX_TEMPLATE_BYTES)}"\n`;
    expect(errorsOf(big)[0]?.message).toMatch(/limit is 1048576/);
  });
});
