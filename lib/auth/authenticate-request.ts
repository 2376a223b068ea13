import type { Db } from '../../db/client';
import { findActiveApiTokenByHash } from '../../db/queries/api-tokens';
import { readAuthFailureState, recordAuthFailure } from '../../db/queries/auth-failures';
import { findLiveSessionByHash } from '../../db/queries/sessions';
import { AppError } from '../errors';
import type { AuthConfig } from './auth-config';
import type { AuthFailureLimiter } from './auth-failure-limiter';
import { LOCAL_PRINCIPAL, type Principal } from './principal';
import { readClientAddress } from './read-client-address';
import { isRole } from './roles';
import { hashSecret, isSessionBoundToCredential, secretsMatch } from './secrets';
import { readSessionCookie } from './session-cookie';

const ADMIN_ACTOR = 'admin';

/**
 * Who sent the request. Local mode (no ADMIN_TOKEN): everyone is 'local' with every right. Otherwise
 * `Authorization: Bearer <token>` (ADMIN_TOKEN or a named token) or, when there is no such header,
 * the dashboard's session cookie. Throws 'unauthorized' when neither proves anything; a bad header is
 * never passed over for a cookie. A bearer token is checked only while its sender's address may try
 * again (`config.failureLimiter`): else RateLimitedError (429), before the token is looked at.
 */
export async function authenticateRequest(request: Request, { db, config }: { db: Db; config: AuthConfig }): Promise<Principal> {
  const found = await identifyRequest(request, { db, adminToken: config.adminToken, limiter: config.failureLimiter });
  if (found instanceof AppError) {
    throw found;
  }
  return found;
}

/**
 * The same check again for a request already let in (an open event stream): undefined once its token
 * was revoked, its session ended or expired, or ADMIN_TOKEN changed. It is the server asking, so it
 * neither waits on nor counts toward the failure limit.
 */
export async function reauthenticateRequest(request: Request, { db, config }: { db: Db; config: AuthConfig }): Promise<Principal | undefined> {
  const found = await identifyRequest(request, { db, adminToken: config.adminToken, limiter: undefined });
  return found instanceof AppError ? undefined : found;
}

async function identifyRequest(
  request: Request,
  { db, adminToken, limiter }: { db: Db; adminToken: string | undefined; limiter: AuthFailureLimiter | undefined },
): Promise<Principal | AppError> {
  if (!adminToken) {
    return LOCAL_PRINCIPAL;
  }
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match?.[1]) {
      return new AppError('unauthorized', 'The Authorization header must be "Bearer <token>"');
    }
    const secret = match[1];
    const principal = limiter
      ? await checkWithinLimit(limiter, { db, address: readClientAddress(request), secret }, () => findTokenPrincipal(db, secret, adminToken))
      : await findTokenPrincipal(db, secret, adminToken);
    return principal ?? new AppError('unauthorized', 'The token is not valid: it is unknown or was revoked');
  }
  const sessionSecret = readSessionCookie(request);
  if (sessionSecret !== undefined) {
    // Not limited: a session secret is 256 random bits, and a browser with a stale cookie is no guesser.
    const principal = await findSessionPrincipal(db, sessionSecret, adminToken);
    return principal ?? new AppError('unauthorized', 'Your session has ended; sign in again');
  }
  return new AppError('unauthorized', 'A token is required: send "Authorization: Bearer <token>", or sign in on the dashboard');
}

/**
 * Runs one check of `secret` under the limiter: refused (429) while the address must wait; counted as
 * a failure when it finds nothing. The counts live in the database too (every web process reads and
 * adds to the same ones), so N processes do not give an address N times the tries. Used by sign-in too.
 */
export async function checkWithinLimit<T>(
  limiter: AuthFailureLimiter,
  { db, address, secret }: { db: Db; address: string; secret: string },
  check: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const shared = await readAuthFailureState(db, address, limiter.limits);
  const attempt = limiter.beginAttempt(address, hashSecret(secret), shared);
  let found: T | undefined;
  try {
    found = await check();
  } catch (error) {
    attempt.settled();
    throw error;
  }
  if (found === undefined) {
    if (attempt.failed()) {
      await recordAuthFailure(db, address, limiter.limits);
    }
  } else {
    attempt.settled();
  }
  return found;
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
    return isSessionBoundToCredential(session.credentialHash, adminToken, secret)
      ? { actor: ADMIN_ACTOR, role: 'admin', mode: 'token', via: 'session', tokenId: null }
      : undefined;
  }
  if (!token || token.revokedAt !== null || !isRole(token.role)) {
    return undefined;
  }
  return { actor: token.name, role: token.role, mode: 'token', via: 'session', tokenId: String(token.id) };
}
