import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { templateVersions, type TemplateVersionRow } from '../schema';

export type NewTemplateVersion = typeof templateVersions.$inferInsert;

/** Inserts the version unless (namespace, name, version) exists; returns the row that is stored either way. */
export async function insertTemplateVersionIfAbsent(
  dbOrTx: DbOrTx,
  version: NewTemplateVersion,
): Promise<{ row: TemplateVersionRow; inserted: boolean }> {
  const [inserted] = await dbOrTx.insert(templateVersions).values(version).onConflictDoNothing().returning();
  if (inserted) {
    return { row: inserted, inserted: true };
  }
  const existing = await findTemplateVersion(dbOrTx, version.namespace, version.name, version.version);
  if (!existing) {
    throw new Error(`template version ${version.namespace}/${version.name}@${version.version} vanished during insert`);
  }
  return { row: existing, inserted: false };
}

export async function findTemplateVersion(dbOrTx: DbOrTx, namespace: string, name: string, version: string) {
  const [row] = await dbOrTx
    .select()
    .from(templateVersions)
    .where(and(eq(templateVersions.namespace, namespace), eq(templateVersions.name, name), eq(templateVersions.version, version)));
  return row;
}

export async function findTemplateVersionById(dbOrTx: DbOrTx, id: number) {
  const [row] = await dbOrTx.select().from(templateVersions).where(eq(templateVersions.id, id));
  return row;
}

/** Every version of one template, oldest first. */
export async function findVersionsOfTemplate(dbOrTx: DbOrTx, namespace: string, name: string) {
  return dbOrTx
    .select()
    .from(templateVersions)
    .where(and(eq(templateVersions.namespace, namespace), eq(templateVersions.name, name)))
    .orderBy(asc(templateVersions.createdAt), asc(templateVersions.id));
}

export async function findAllTemplateVersions(dbOrTx: DbOrTx) {
  return dbOrTx.select().from(templateVersions).orderBy(asc(templateVersions.namespace), asc(templateVersions.name), asc(templateVersions.id));
}
