import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { templateVersions } from '../../db/schema';

/**
 * The `results_schema` of each step of a template version that declares one, by step name. Read from the
 * stored definition, which never changes once saved (a changed template is a new version), so a task
 * checks its steps' results against the template it was created from.
 */
export async function findResultsSchemas(dbOrTx: DbOrTx, templateVersionId: number): Promise<Map<string, Record<string, unknown>>> {
  const rows = await queryRows<{ name: string; results_schema: Record<string, unknown> }>(
    dbOrTx,
    sql`select step->>'name' as name, step->'resultsSchema' as results_schema
        from ${templateVersions}, jsonb_array_elements(${templateVersions.definition}->'steps') as step
        where ${templateVersions.id} = ${templateVersionId} and step ? 'resultsSchema'`,
  );
  return new Map(rows.map((row) => [row.name, row.results_schema]));
}

/** findResultsSchemas of several template versions at once, by version id (each version read once). */
export async function findResultsSchemasOfVersions(
  dbOrTx: DbOrTx,
  templateVersionIds: readonly number[],
): Promise<Map<number, Map<string, Record<string, unknown>>>> {
  const ids = [...new Set(templateVersionIds)];
  const byVersion = new Map<number, Map<string, Record<string, unknown>>>(ids.map((id) => [id, new Map()]));
  if (ids.length === 0) {
    return byVersion;
  }
  const rows = await queryRows<{ version_id: number | string; name: string; results_schema: Record<string, unknown> }>(
    dbOrTx,
    sql`select ${templateVersions.id} as version_id, step->>'name' as name, step->'resultsSchema' as results_schema
        from ${templateVersions}, jsonb_array_elements(${templateVersions.definition}->'steps') as step
        where ${templateVersions.id} in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )}) and step ? 'resultsSchema'`,
  );
  for (const row of rows) {
    byVersion.get(Number(row.version_id))?.set(row.name, row.results_schema);
  }
  return byVersion;
}
