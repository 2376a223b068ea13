import { createHash } from 'node:crypto';
import type { Db } from '../../db/client';
import { insertTemplateVersionIfAbsent } from '../../db/queries/template-versions';
import type { TemplateVersionRow } from '../../db/schema';
import { ConflictError } from '../errors';
import type { TemplateDefinition } from '../templates/template-definition';

/** A digest of what the version does (not of its comments or layout). */
function hashTemplateDefinition(definition: TemplateDefinition): string {
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex');
}

/**
 * Stores a validated template version. Versions are immutable: saving the same content again is a
 * no-op (`created: false`), saving other content under an existing version is a conflict.
 */
export async function saveTemplateVersion(
  db: Db,
  { yaml, definition, actor }: { yaml: string; definition: TemplateDefinition; actor: string },
): Promise<{ version: TemplateVersionRow; created: boolean }> {
  const contentHash = hashTemplateDefinition(definition);
  const { row, inserted } = await insertTemplateVersionIfAbsent(db, {
    namespace: definition.namespace,
    name: definition.name,
    version: definition.version,
    description: definition.description,
    yaml,
    definition,
    contentHash,
    createdBy: actor,
  });
  if (!inserted && row.contentHash !== contentHash) {
    throw new ConflictError(
      `Version ${definition.version} of ${definition.namespace}/${definition.name} already exists with other content; save it as a new version`,
      [{ path: '/version', message: 'already exists with other content' }],
    );
  }
  return { version: row, created: inserted };
}
