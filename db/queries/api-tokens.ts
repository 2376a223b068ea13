import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { apiTokens, type ApiTokenRow } from '../schema';

export type NewApiToken = typeof apiTokens.$inferInsert;

/** Inserts the token unless a token, active or revoked, has the same name in any case; undefined then. */
export async function insertApiTokenUnlessNameTaken(dbOrTx: DbOrTx, token: NewApiToken): Promise<ApiTokenRow | undefined> {
  const [row] = await dbOrTx.insert(apiTokens).values(token).onConflictDoNothing().returning();
  return row;
}

/** The token that holds a name (names are unique in any case, revoked tokens' included). */
export async function findApiTokenByName(dbOrTx: DbOrTx, name: string): Promise<ApiTokenRow | undefined> {
  const [row] = await dbOrTx
    .select()
    .from(apiTokens)
    .where(sql`lower(${apiTokens.name}) = lower(${name})`);
  return row;
}

export async function findApiTokens(dbOrTx: DbOrTx): Promise<ApiTokenRow[]> {
  return dbOrTx
    .select()
    .from(apiTokens)
    .orderBy(sql`${apiTokens.revokedAt} is not null`, desc(apiTokens.id));
}

export async function findActiveApiTokenByHash(dbOrTx: DbOrTx, tokenHash: string): Promise<ApiTokenRow | undefined> {
  const [row] = await dbOrTx
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)));
  return row;
}

/** Notes the token's use at most once a minute, so reads do not each write a row. */
export async function touchApiToken(dbOrTx: DbOrTx, tokenId: number): Promise<void> {
  await dbOrTx
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`))));
}

export async function lockApiToken(dbOrTx: DbOrTx, tokenId: number): Promise<ApiTokenRow | undefined> {
  const [row] = await dbOrTx.select().from(apiTokens).where(eq(apiTokens.id, tokenId)).for('update');
  return row;
}

export async function markApiTokenRevoked(dbOrTx: DbOrTx, tokenId: number): Promise<ApiTokenRow | undefined> {
  const [row] = await dbOrTx
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(eq(apiTokens.id, tokenId))
    .returning();
  return row;
}
