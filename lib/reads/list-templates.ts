import type { DbOrTx } from '../../db/client';
import { findAllTemplateVersions } from '../../db/queries/template-versions';
import type { TemplateVersionRow } from '../../db/schema';
import type { TemplateListItem } from '../api/types';
import { compareSemver } from '../semver';
import type { TemplateDefinition } from '../templates/template-definition';

/** Versions of one template, newest (by semver) first. */
export function sortVersionsNewestFirst<T extends { version: string }>(versions: readonly T[]): T[] {
  return [...versions].sort((a, b) => compareSemver(b.version, a.version));
}

export function countSteps(row: TemplateVersionRow): number {
  return (row.definition as TemplateDefinition).steps.length;
}

/**
 * Every template, one item each, described by its active version: the newest, which a task gets when
 * it names no version. `versions` lists every stored version, newest first.
 */
export async function listTemplates(db: DbOrTx): Promise<TemplateListItem[]> {
  const byTemplate = new Map<string, TemplateVersionRow[]>();
  for (const row of await findAllTemplateVersions(db)) {
    const key = `${row.namespace}/${row.name}`;
    byTemplate.set(key, [...(byTemplate.get(key) ?? []), row]);
  }
  return [...byTemplate.values()].flatMap((rows) => {
    const [newest] = sortVersionsNewestFirst(rows);
    if (!newest) {
      return [];
    }
    return [
      {
        namespace: newest.namespace,
        name: newest.name,
        version: newest.version,
        description: newest.description,
        step_count: countSteps(newest),
        active: true,
        versions: sortVersionsNewestFirst(rows).map((row) => row.version),
        updated_at: newest.createdAt.toISOString(),
      },
    ];
  });
}
