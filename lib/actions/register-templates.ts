import path from 'node:path';
import type { Db } from '../../db/client';
import { loadTemplates } from '../templates/load-templates';
import type { TemplateValidationOptions } from '../templates/validate-template';
import { saveTemplateVersion } from './save-template-version';

/**
 * Loads every template file under `directories`, refusing all of them if any is invalid, and stores
 * each version. A file whose version is already stored with other content is refused as well:
 * versions are immutable, so a changed template needs a new version.
 */
export async function registerTemplates(
  db: Db,
  { directories, ...options }: { directories: string[] } & TemplateValidationOptions,
): Promise<{ loaded: number; created: number }> {
  const loaded = directories.flatMap((directory) => loadTemplates(path.resolve(directory), options));
  let created = 0;
  for (const template of loaded) {
    try {
      const result = await saveTemplateVersion(db, { yaml: template.yaml, definition: template.definition, actor: 'system' });
      created += result.created ? 1 : 0;
    } catch (error) {
      throw new Error(`Could not register ${template.file}: ${(error as Error).message}`, { cause: error });
    }
  }
  return { loaded: loaded.length, created };
}
