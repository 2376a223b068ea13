import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { apiTokens, sessions, type ApiTokenRow, type SessionRow } from '../schema';

export async function insertSession(dbOrTx: DbOrTx, session: typeof sessions.$inferInsert): Promise<SessionRow> {
  const [row] = await dbOrTx.insert(sessions).values(session).returning();
  if (!row) {
    throw new Error('the session was not inserted');
  }
  return row;
}

/** A session that has not expired, with the named token it was made with (null for ADMIN_TOKEN). */
export async function findLiveSessionByHash(
  dbOrTx: DbOrTx,
  sessionHash: string,
): Promise<{ session: SessionRow; token: ApiTokenRow | null } | undefined> {
  const [row] = await dbOrTx
    .select({ session: sessions, token: apiTokens })
    .from(sessions)
    .leftJoin(apiTokens, eq(apiTokens.id, sessions.tokenId))
    .where(and(eq(sessions.sessionHash, sessionHash), sql`${sessions.expiresAt} > now()`));
  return row;
}

export async function deleteSessionByHash(dbOrTx: DbOrTx, sessionHash: string): Promise<void> {
  await dbOrTx.delete(sessions).where(eq(sessions.sessionHash, sessionHash));
}

export async function deleteSessionsOfToken(dbOrTx: DbOrTx, tokenId: number): Promise<void> {
  await dbOrTx.delete(sessions).where(eq(sessions.tokenId, tokenId));
}

export async function deleteExpiredSessions(dbOrTx: DbOrTx): Promise<void> {
  await dbOrTx.delete(sessions).where(sql`${sessions.expiresAt} <= now()`);
}
