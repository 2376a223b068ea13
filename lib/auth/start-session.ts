import type { Db } from '../../db/client';
import { deleteExpiredSessions, insertSession } from '../../db/queries/sessions';
import type { AuthConfig } from './auth-config';
import { findTokenPrincipal } from './authenticate-request';
import type { Principal } from './principal';
import { generateSecret, hashSecret } from './secrets';

/**
 * Signs in with a token: returns the principal and a new session secret for the cookie, or undefined
 * when the token is not valid. Expired sessions are cleared on the way.
 */
export async function startSession(
  db: Db,
  { token, config }: { token: string; config: AuthConfig & { adminToken: string } },
): Promise<{ principal: Principal; sessionSecret: string } | undefined> {
  const principal = await findTokenPrincipal(db, token, config.adminToken);
  if (!principal) {
    return undefined;
  }
  const sessionSecret = generateSecret();
  await db.transaction(async (tx) => {
    await deleteExpiredSessions(tx);
    await insertSession(tx, {
      sessionHash: hashSecret(sessionSecret),
      tokenId: principal.tokenId === null ? null : Number(principal.tokenId),
      credentialHash: hashSecret(token),
      expiresAt: new Date(Date.now() + config.sessionTtlSeconds * 1000),
    });
  });
  return { principal: { ...principal, via: 'session' }, sessionSecret };
}
