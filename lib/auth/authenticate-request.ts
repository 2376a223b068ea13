import type { Db } from '../../db/client';
import { findActiveApiTokenByHash } from '../../db/queries/api-tokens';
import { findLiveSessionByHash } from '../../db/queries/sessions';
import { AppError } from '../errors';
import type { AuthConfig } from './auth-config';
import { LOCAL_PRINCIPAL, type Principal } from './principal';
import { isRole } from './roles';
import { hashSecret, secretsMatch } from './secrets';
import { readSessionCookie } from './session-cookie';

const ADMIN_ACTOR = 'admin';

/**
 * Who sent the request. Local mode (no ADMIN_TOKEN): everyone is 'local' with every right. Otherwise
 * `Authorization: Bearer <token>` (ADMIN_TOKEN or a named token) or, when there is no such header,
 * the dashboard's session cookie. Throws 'unauthorized' when neither proves anything; a bad header is
 * never passed over for a cookie.
 */
export async function authenticateRequest(request: Request, { db, config }: { db: Db; config: AuthConfig }): Promise<Principal> {
  const { adminToken } = config;
  if (!adminToken) {
    return LOCAL_PRINCIPAL;
  }
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match?.[1]) {
      throw new AppError('unauthorized', 'The Authorization header must be "Bearer <token>"');
    }
    const principal = await findTokenPrincipal(db, match[1], adminToken);
    if (!principal) {
      throw new AppError('unauthorized', 'The token is not valid: it is unknown or was revoked');
    }
    return principal;
  }
  const sessionSecret = readSessionCookie(request);
  if (sessionSecret !== undefined) {
    const principal = await findSessionPrincipal(db, sessionSecret, adminToken);
    if (!principal) {
      throw new AppError('unauthorized', 'Your session has ended; sign in again');
    }
    return principal;
  }
  throw new AppError('unauthorized', 'A token is required: send "Authorization: Bearer <token>", or sign in on the dashboard');
}

/** The principal a bearer token stands for, or undefined. Used by sign-in too. */
export async function findTokenPrincipal(db: Db, secret: string, adminToken: string): Promise<Principal | undefined> {
  if (secretsMatch(secret, adminToken)) {
    return { actor: ADMIN_ACTOR, role: 'admin', mode: 'token', via: 'admin_token', tokenId: null };
  }
  const token = await findActiveApiTokenByHash(db, hashSecret(secret));
  if (!token || !isRole(token.role)) {
    return undefined;
  }
  return { actor: token.name, role: token.role, mode: 'token', via: 'api_token', tokenId: String(token.id) };
}

async function findSessionPrincipal(db: Db, secret: string, adminToken: string): Promise<Principal | undefined> {
  const found = await findLiveSessionByHash(db, hashSecret(secret));
  if (!found) {
    return undefined;
  }
  const { session, token } = found;
  if (session.tokenId === null) {
    // A session opened with ADMIN_TOKEN lasts only as long as that token does.
    return session.credentialHash === hashSecret(adminToken)
      ? { actor: ADMIN_ACTOR, role: 'admin', mode: 'token', via: 'session', tokenId: null }
      : undefined;
  }
  if (!token || token.revokedAt !== null || !isRole(token.role)) {
    return undefined;
  }
  return { actor: token.name, role: token.role, mode: 'token', via: 'session', tokenId: String(token.id) };
}
