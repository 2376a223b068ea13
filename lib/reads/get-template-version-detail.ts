import type { DbOrTx } from '../../db/client';
import { findVersionsOfTemplate } from '../../db/queries/template-versions';
import type { TemplateVersionRow } from '../../db/schema';
import type { TemplateVersionDetail } from '../api/types';
import type { TemplateDefinition } from '../templates/template-definition';
import { templateDag } from '../templates/validate-template';
import { getTemplateVersionOrThrow, pickNewestVersion } from './get-template-version';

function toTemplateVersionDetail(row: TemplateVersionRow, { active }: { active: boolean }): TemplateVersionDetail {
  const definition = row.definition as TemplateDefinition;
  return {
    namespace: row.namespace,
    name: row.name,
    version: row.version,
    description: row.description,
    yaml: row.yaml,
    definition,
    dag: templateDag(definition),
    created_at: row.createdAt.toISOString(),
    created_by: row.createdBy,
    active,
  };
}

/** One stored version: its YAML as saved, its definition and its DAG. Throws NotFoundError. */
export async function getTemplateVersionDetailOrThrow(db: DbOrTx, namespace: string, name: string, version: string): Promise<TemplateVersionDetail> {
  const row = await getTemplateVersionOrThrow(db, namespace, name, version);
  const newest = pickNewestVersion(await findVersionsOfTemplate(db, namespace, name));
  return toTemplateVersionDetail(row, { active: newest?.id === row.id });
}
