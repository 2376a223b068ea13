import fs from 'node:fs';
import path from 'node:path';
import { InvalidTemplateError, type ErrorDetail } from '../errors';
import { findLine, MAX_TEMPLATE_BYTES, parseTemplateYaml } from './parse-template-yaml';
import type { TemplateDefinition } from './template-definition';
import { validateTemplate, type TemplateValidationOptions } from './validate-template';

export type LoadedTemplate = {
  /** Relative to the parent of the templates directory, e.g. `templates/user_registration.yaml`. */
  file: string;
  yaml: string;
  definition: TemplateDefinition;
};

function isTemplateFile(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/** Every template file under `dir`, depth first, sorted by path. Dotfiles (editor backups) are skipped. */
function listTemplateFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) {
      continue;
    }
    const fullPath = path.join(dir, entry.name);
    // A symlinked directory is not followed, so a link loop cannot hang the start.
    if (entry.isDirectory()) {
      files.push(...listTemplateFiles(fullPath));
    } else if (isTemplateFile(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && fs.statSync(fullPath).isFile()))) {
      files.push(fullPath);
    }
  }
  return files.sort();
}

/**
 * Reads and validates every `*.yaml` / `*.yml` under `dir`. Throws one InvalidTemplateError listing every
 * problem of every file (paths read `templates/x.yaml:/step_templates/0/handler`), including two files that
 * declare the same namespace, name and version; so the app refuses to start rather than fail mid-task.
 */
export function loadTemplates(dir: string, options: TemplateValidationOptions): LoadedTemplate[] {
  const loaded: LoadedTemplate[] = [];
  const problems: ErrorDetail[] = [];
  const invalidFiles: string[] = [];
  const fileByKey = new Map<string, string>();
  const root = path.dirname(path.resolve(dir));
  for (const fullPath of listTemplateFiles(dir)) {
    const file = path.relative(root, path.resolve(fullPath)).split(path.sep).join('/');
    const size = fs.statSync(fullPath).size;
    if (size > MAX_TEMPLATE_BYTES) {
      invalidFiles.push(file);
      problems.push({ path: `${file}:`, message: `the template is ${size} bytes; the limit is ${MAX_TEMPLATE_BYTES} (1 MiB)` });
      continue;
    }
    const yaml = fs.readFileSync(fullPath, 'utf8');
    const result = validateTemplate(yaml, { ...options, filename: file });
    if (!result.valid) {
      invalidFiles.push(file);
      problems.push(...result.errors.map((error) => ({ ...error, path: `${file}:${error.path}` })));
      continue;
    }
    const { definition } = result;
    const key = `${definition.namespace}/${definition.name}@${definition.version}`;
    const earlier = fileByKey.get(key);
    if (earlier !== undefined) {
      invalidFiles.push(file);
      const parsed = parseTemplateYaml(yaml);
      const line = parsed.ok ? findLine(parsed.lines, '/version') : undefined;
      problems.push({
        path: `${file}:/version`,
        message: `${earlier} already declares ${definition.namespace}/${definition.name} version ${definition.version}`,
        ...(line !== undefined ? { line } : {}),
      });
      continue;
    }
    fileByKey.set(key, file);
    loaded.push({ file, yaml, definition });
  }
  if (problems.length > 0) {
    throw new InvalidTemplateError(problems, invalidFiles.length === 1 ? invalidFiles[0] : undefined);
  }
  return loaded;
}
