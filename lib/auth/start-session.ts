import type { Db } from '../../db/client';
import { deleteExpiredSessions, insertSession } from '../../db/queries/sessions';
import type { AuthConfig } from './auth-config';
import { checkWithinLimit, findTokenPrincipal } from './authenticate-request';
import type { Principal } from './principal';
import { bindSessionToCredential, generateSecret, hashSecret } from './secrets';

/**
 * Signs in with a token: returns the principal and a new session secret for the cookie, or undefined
 * when the token is not valid. A failure counts against `address` in the failure limiter, and while
 * the address must wait this throws RateLimitedError without looking at the token. Expired sessions
 * are cleared on the way.
 */
export async function startSession(
  db: Db,
  { token, address, config }: { token: string; address: string; config: AuthConfig & { adminToken: string } },
): Promise<{ principal: Principal; sessionSecret: string } | undefined> {
  const principal = await checkWithinLimit(config.failureLimiter, { db, address, secret: token }, () =>
    findTokenPrincipal(db, token, config.adminToken),
  );
  if (!principal) {
    return undefined;
  }
  // The cookie's secret is the session's key: only its hash is stored, and the token is kept only
  // as an HMAC over it (bindSessionToCredential), never as a function of the token alone.
  const sessionSecret = generateSecret();
  await db.transaction(async (tx) => {
    await deleteExpiredSessions(tx);
    await insertSession(tx, {
      sessionHash: hashSecret(sessionSecret),
      tokenId: principal.tokenId === null ? null : Number(principal.tokenId),
      credentialHash: bindSessionToCredential(token, sessionSecret),
      expiresAt: new Date(Date.now() + config.sessionTtlSeconds * 1000),
    });
  });
  return { principal: { ...principal, via: 'session' }, sessionSecret };
}
