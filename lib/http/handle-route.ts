import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { readAuthConfig, type AuthConfig } from '../auth/auth-config';
import { authenticateRequest } from '../auth/authenticate-request';
import { noteTokenUse } from '../auth/note-token-use';
import type { Principal } from '../auth/principal';
import { hasRole, type Role } from '../auth/roles';
import { findCrossSiteChange } from '../auth/request-perimeter';
import { isSameOriginRequest } from '../auth/same-origin';
import { AppError } from '../errors';
import { logger, type Logger } from '../logger';
import { recordHttpRequest } from '../metrics/http-metrics';
import type { Runtime } from '../runtime/host';
import { toErrorResponse } from './error-response';
import { getRouteRuntime } from './route-runtime';
import { matchRoutePattern } from './route-patterns';
import { refuseUnstorableRouteParams } from './unstorable-text-error';

export type RouteOptions = {
  /** No token needed (health, sign-in). Every other route needs one once ADMIN_TOKEN is set. */
  public?: boolean;
  /** The least role that may call the route; default viewer. */
  role?: Role;
};

type Params = Record<string, string | string[] | undefined>;
/** What Next.js passes a route handler. */
export type NextRouteContext<P extends Params> = { params: Promise<P> };

export type RouteContext<P extends Params, Who> = {
  params: P;
  /** The caller; undefined on a public route. */
  principal: Who;
  runtime: Runtime;
  db: Db;
  authConfig: AuthConfig;
  log: Logger;
  requestId: string;
};

type Handler<P extends Params, Who> = (request: Request, context: RouteContext<P, Who>) => Promise<Response>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The one wrapper of every /api/v1 route: refuses a change sent by another site's page (whatever the
 * credential), authenticates (unless public), checks the role, refuses a change made with the session
 * cookie that does not prove it comes from our own origin, runs the handler, maps a thrown AppError
 * to its status (anything else to a logged 500), and logs and counts the request.
 */
export function handleRoute<P extends Params = Params>(
  handler: Handler<P, Principal | undefined>,
  options: RouteOptions & { public: true },
): (request: Request, context: NextRouteContext<P>) => Promise<Response>;
export function handleRoute<P extends Params = Params>(
  handler: Handler<P, Principal>,
  options?: RouteOptions & { public?: false },
): (request: Request, context: NextRouteContext<P>) => Promise<Response>;
export function handleRoute<P extends Params = Params>(
  handler: Handler<P, Principal> | Handler<P, Principal | undefined>,
  options: RouteOptions = {},
): (request: Request, context: NextRouteContext<P>) => Promise<Response> {
  const requiredRole = options.role ?? 'viewer';
  return async (request, nextContext) => {
    const startedAt = performance.now();
    const givenRequestId = request.headers.get('x-request-id');
    const requestId = givenRequestId && REQUEST_ID_PATTERN.test(givenRequestId) ? givenRequestId : randomUUID();
    const url = new URL(request.url);
    const route = matchRoutePattern(request.method, url.pathname);
    let log = logger.child({ request_id: requestId });
    let response: Response;
    try {
      const runtime = await getRouteRuntime();
      const db = runtime.database.db;
      const authConfig = readAuthConfig(runtime.env);
      // Before any credential is looked at: the browser attaches a cookie by itself, and a page of another
      // site may not drive the API with any credential (proxy.ts refuses the same before routing).
      const crossSiteChange = findCrossSiteChange(request);
      if (crossSiteChange) {
        throw new AppError('forbidden', crossSiteChange);
      }
      let principal: Principal | undefined;
      if (!options.public) {
        principal = await authenticateRequest(request, { db, config: authConfig });
        if (!hasRole(principal.role, requiredRole)) {
          throw new AppError('forbidden', `This needs the ${requiredRole} role; token '${principal.actor}' has ${principal.role}`);
        }
        // The cookie rides along with any request the browser sends, whoever's page made it.
        if (principal.via === 'session' && !SAFE_METHODS.has(request.method) && !isSameOriginRequest(request)) {
          throw new AppError('forbidden', 'A change made with the session cookie must come from the dashboard itself (same origin)');
        }
        log = log.child({ actor: principal.actor });
      }
      const params = ((await nextContext?.params) ?? {}) as P;
      refuseUnstorableRouteParams(params);
      // Lines about one task or step say which, as the orchestrator's do.
      if (typeof params.taskId === 'string') {
        log = log.child({ task_id: params.taskId, ...(typeof params.step === 'string' ? { step: params.step } : {}) });
      }
      response = await (handler as Handler<P, Principal | undefined>)(request, {
        params,
        principal,
        runtime,
        db,
        authConfig,
        log,
        requestId,
      });
      if (response.status < 400) {
        await noteTokenUse(db, principal).catch((error: unknown) => log.warn({ err: error }, 'could not record when the token was used'));
      }
    } catch (error) {
      response = toErrorResponse(error, { log: log.child({ method: request.method, path: url.pathname }), requestId });
    }
    const durationMs = performance.now() - startedAt;
    response.headers.set('X-Request-ID', requestId);
    if (!response.headers.has('Cache-Control')) {
      response.headers.set('Cache-Control', 'no-store');
    }
    recordHttpRequest({ method: request.method, route, status: response.status, seconds: durationMs / 1000 });
    log.info({ method: request.method, path: url.pathname, route, status: response.status, duration_ms: Math.round(durationMs * 10) / 10 }, 'request');
    return response;
  };
}
