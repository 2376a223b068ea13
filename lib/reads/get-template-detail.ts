import type { DbOrTx } from '../../db/client';
import { findVersionsOfTemplate } from '../../db/queries/template-versions';
import type { TemplateDetail } from '../api/types';
import { NotFoundError } from '../errors';
import type { TemplateDefinition } from '../templates/template-definition';
import { templateDag } from '../templates/validate-template';
import { countSteps, sortVersionsNewestFirst } from './list-templates';

/** A template's versions (newest first) and the DAG of the newest. Throws NotFoundError. */
export async function getTemplateDetailOrThrow(db: DbOrTx, namespace: string, name: string): Promise<TemplateDetail> {
  const versions = sortVersionsNewestFirst(await findVersionsOfTemplate(db, namespace, name));
  const [newest] = versions;
  if (!newest) {
    throw new NotFoundError('template', `${namespace}/${name}`);
  }
  return {
    namespace: newest.namespace,
    name: newest.name,
    description: newest.description,
    version: newest.version,
    versions: versions.map((row) => ({
      version: row.version,
      description: row.description,
      step_count: countSteps(row),
      created_at: row.createdAt.toISOString(),
      created_by: row.createdBy,
      active: row === newest,
    })),
    dag: templateDag(newest.definition as TemplateDefinition),
  };
}
