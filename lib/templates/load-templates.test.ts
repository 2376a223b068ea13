import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidTemplateError } from '../errors';
import { defaultHandlerRegistry } from '../handlers/index';
import { loadTemplates } from './load-templates';

const options = { handlers: defaultHandlerRegistry({ withTestHandlers: true }), services: ['user', 'billing'] };

function templateYaml(name: string, version = '1.0.0', handler = 'test.noop'): string {
  return `name: ${name}\nversion: ${version}\nstep_templates:\n  - name: only\n    handler: ${handler}\n`;
}

let parent: string;
let dir: string;

beforeEach(() => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-load-templates-'));
  dir = path.join(parent, 'templates');
  fs.mkdirSync(dir);
});

afterEach(() => {
  fs.rmSync(parent, { recursive: true, force: true });
});

function write(relativePath: string, text: string): void {
  const file = path.join(dir, relativePath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function loadError(): InvalidTemplateError {
  try {
    loadTemplates(dir, options);
  } catch (error) {
    if (error instanceof InvalidTemplateError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected loadTemplates to throw');
}

describe('loadTemplates', () => {
  it('loads every .yaml and .yml file, recursively, sorted by path', () => {
    write('b.yaml', templateYaml('b'));
    write('a.yml', templateYaml('a'));
    write('nested/c.yaml', templateYaml('c'));
    write('notes.txt', 'not a template');
    write('.a.yaml.swp', 'not a template either');

    const loaded = loadTemplates(dir, options);

    expect(loaded.map((template) => template.file)).toEqual(['templates/a.yml', 'templates/b.yaml', 'templates/nested/c.yaml']);
    expect(loaded[0]?.yaml).toBe(templateYaml('a'));
    expect(loaded[0]?.definition).toMatchObject({ namespace: 'default', name: 'a', version: '1.0.0' });
  });

  it('returns nothing for an empty directory', () => {
    expect(loadTemplates(dir, options)).toEqual([]);
  });

  it('throws one error listing every problem of every file, paths prefixed with the file', () => {
    write('good.yaml', templateYaml('good'));
    write('bad_handler.yaml', templateYaml('bad_handler', '1.0.0', 'nope'));
    write('broken.yaml', 'name: x\n  bad: indentation\n');

    const error = loadError();

    expect(error.code).toBe('invalid_template');
    expect(error.details).toEqual([
      { path: 'templates/bad_handler.yaml:/step_templates/0/handler', message: expect.stringContaining("unknown handler 'nope'") as string, line: 5 },
      { path: 'templates/broken.yaml:', message: expect.stringContaining('YAML: ') as string, line: 2 },
    ]);
  });

  it('refuses two files that declare the same namespace, name and version', () => {
    write('one.yaml', templateYaml('same'));
    write('two.yaml', `namespace_name: default\n${templateYaml('same')}`);
    write('three.yaml', templateYaml('same', '1.1.0'));

    const error = loadError();

    expect(error.details).toEqual([
      { path: 'templates/two.yaml:/version', message: 'templates/one.yaml already declares default/same version 1.0.0', line: 3 },
    ]);
    expect(error.file).toBe('templates/two.yaml');
  });

  it('refuses a file over 1 MiB without parsing it', () => {
    write('huge.yaml', `description: "${'x'.repeat(1024 * 1024)}"\n`);
    expect(loadError().details).toEqual([{ path: 'templates/huge.yaml:', message: expect.stringContaining('limit is 1048576') as string }]);
  });
});
