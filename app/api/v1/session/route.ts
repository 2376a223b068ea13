import type { Session } from '@/lib/api/types';
import { endSession } from '@/lib/auth/end-session';
import { readClientAddress } from '@/lib/auth/read-client-address';
import { isCrossSiteRequest } from '@/lib/auth/same-origin';
import { readSessionCookie, serializeClearedSessionCookie, serializeSessionCookie } from '@/lib/auth/session-cookie';
import { startSession } from '@/lib/auth/start-session';
import { AppError } from '@/lib/errors';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

function refuseCrossSite(request: Request): void {
  if (isCrossSiteRequest(request)) {
    throw new AppError('forbidden', 'Signing in or out must happen on the dashboard itself (same origin)');
  }
}

// GET /api/v1/session: who is calling: local mode, or the token's name and role.
export const GET = handleRoute(operations.getSession, async (_request, { principal }) =>
  Response.json({ mode: principal.mode, actor: principal.actor, role: principal.role } satisfies Session),
);

// POST /api/v1/session: sign the dashboard in with a token; sets the HttpOnly session cookie. Failures are limited per address (429).
export const POST = handleRoute(operations.signIn, async (request, { db, authConfig, body: { token } }) => {
  refuseCrossSite(request);
  const { adminToken } = authConfig;
  if (!adminToken) {
    return Response.json({ mode: 'local', actor: 'local', role: 'admin' } satisfies Session);
  }
  const started = await startSession(db, { token, address: readClientAddress(request), config: { ...authConfig, adminToken } });
  if (!started) {
    throw new AppError('unauthorized', 'The token is not valid: it is unknown or was revoked');
  }
  const { principal, sessionSecret } = started;
  return Response.json({ mode: 'token', actor: principal.actor, role: principal.role } satisfies Session, {
    headers: { 'Set-Cookie': serializeSessionCookie(request, sessionSecret, authConfig.sessionTtlSeconds) },
  });
});

// DELETE /api/v1/session: sign out; the session ends at once and its cookie is cleared.
export const DELETE = handleRoute(operations.signOut, async (request, { db, authConfig }) => {
  const sessionSecret = readSessionCookie(request);
  if (sessionSecret !== undefined) {
    refuseCrossSite(request);
    await endSession(db, sessionSecret);
  }
  return Response.json({ mode: authConfig.adminToken ? 'token' : 'local', actor: null, role: null } satisfies Session, {
    headers: { 'Set-Cookie': serializeClearedSessionCookie(request) },
  });
});
