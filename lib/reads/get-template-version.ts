import type { DbOrTx } from '../../db/client';
import { findTemplateVersion, findVersionsOfTemplate } from '../../db/queries/template-versions';
import type { TemplateVersionRow } from '../../db/schema';
import { NotFoundError } from '../errors';
import { compareSemver } from '../semver';

/** The named version, or the newest (by semver) when `version` is omitted. */
export async function getTemplateVersionOrThrow(dbOrTx: DbOrTx, namespace: string, name: string, version?: string): Promise<TemplateVersionRow> {
  if (version !== undefined) {
    const row = await findTemplateVersion(dbOrTx, namespace, name, version);
    if (!row) {
      throw new NotFoundError('template', `${namespace}/${name}@${version}`);
    }
    return row;
  }
  const newest = pickNewestVersion(await findVersionsOfTemplate(dbOrTx, namespace, name));
  if (!newest) {
    throw new NotFoundError('template', `${namespace}/${name}`);
  }
  return newest;
}

export function pickNewestVersion<T extends { version: string }>(versions: readonly T[]): T | undefined {
  return versions.reduce<T | undefined>((newest, row) => (!newest || compareSemver(row.version, newest.version) > 0 ? row : newest), undefined);
}
