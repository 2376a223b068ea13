import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { readAuthConfig, type AuthConfig } from '../auth/auth-config';
import { authenticateRequest } from '../auth/authenticate-request';
import { noteTokenUse } from '../auth/note-token-use';
import type { Principal } from '../auth/principal';
import { findCrossSiteChange } from '../auth/request-perimeter';
import { hasRole } from '../auth/roles';
import { isSameOriginRequest } from '../auth/same-origin';
import { AppError, NotFoundError } from '../errors';
import { logger, type Logger } from '../logger';
import { recordHttpRequest } from '../metrics/http-metrics';
import { parseId } from '../parse-id';
import type { Runtime } from '../runtime/host';
import { compileSchema } from '../validation';
import { PATH_PARAMETERS, type ApiOperationSpec, type OperationBody, type OperationQuery, type PathParams } from './api-operations';
import { toErrorResponse } from './error-response';
import { readJsonBody } from './read-json-body';
import { readQuery } from './read-query';
import { readYamlBody } from './read-yaml-body';
import { matchRoutePattern } from './route-patterns';
import { getRouteRuntime } from './route-runtime';
import { refuseUnstorableRouteParams } from './unstorable-text-error';

type RawParams = Record<string, string | string[] | undefined>;
/** What Next.js passes a route handler. */
export type NextRouteContext = { params: Promise<RawParams> };

type RouteContext<O extends ApiOperationSpec> = {
  /** The path parameters, ids parsed. */
  params: PathParams<O['path']>;
  /** The query string, validated with the operation's query schema (undefined when it has none). */
  query: OperationQuery<O>;
  /** The body, validated with the operation's body schema (a YAML body as its text; undefined when it takes none). */
  body: OperationBody<O>;
  /** The caller; undefined on a public route. */
  principal: O['access'] extends 'public' ? Principal | undefined : Principal;
  runtime: Runtime;
  db: Db;
  authConfig: AuthConfig;
  log: Logger;
  requestId: string;
};

type Handler<O extends ApiOperationSpec> = (request: Request, context: RouteContext<O>) => Promise<Response>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/** Reads the path parameters as the operation's path names them: an id that is not one is a 404, as an unknown one would be. */
function readPathParams(operation: ApiOperationSpec, raw: RawParams): Record<string, string | number> {
  refuseUnstorableRouteParams(raw);
  const params: Record<string, string | number> = {};
  for (const [, name = ''] of operation.path.matchAll(/\{([^}]+)\}/g)) {
    const value = raw[name];
    const text = typeof value === 'string' ? value : '';
    const definition = PATH_PARAMETERS[name as keyof typeof PATH_PARAMETERS] as { idOf?: 'task' | 'token' | 'bulk action' } | undefined;
    if (definition?.idOf === undefined) {
      params[name] = text;
      continue;
    }
    const id = parseId(text);
    if (id === undefined) {
      throw new NotFoundError(definition.idOf, text);
    }
    params[name] = id;
  }
  return params;
}

/** The body and query readers of an operation, with their validators compiled once. */
function compileInputReaders(operation: ApiOperationSpec) {
  const { body, query } = operation;
  const validateQuery = query ? compileSchema(query) : undefined;
  const validateBody = body?.mediaType === 'application/json' ? compileSchema(body.schema) : undefined;
  const prepare = body?.mediaType === 'application/json' ? body.prepare : undefined;
  return {
    readQuery: (request: Request): unknown => (query && validateQuery ? readQuery(request, query, validateQuery) : undefined),
    async readBody(request: Request): Promise<unknown> {
      if (body?.mediaType === 'application/yaml') {
        return readYamlBody(request);
      }
      if (body && validateBody) {
        return readJsonBody(request, prepare ? (value) => validateBody(prepare(value)) : validateBody, { optional: !body.required });
      }
      return undefined;
    },
  };
}

/**
 * The one wrapper of every /api/v1 route, driven by the route's operation entry (api-operations.ts):
 * refuses a change sent by another site's page (whatever the credential), authenticates (unless
 * public), checks the entry's role, refuses a change made with the session cookie that does not prove
 * it comes from our own origin, parses the path parameters (ids), validates the query string and the
 * body against the entry's schemas, runs the handler, maps a thrown AppError to its status (anything
 * else to a logged 500), and logs and counts the request.
 */
export function handleRoute<const O extends ApiOperationSpec>(
  operation: O,
  handler: Handler<O>,
): (request: Request, context: NextRouteContext) => Promise<Response> {
  const isPublic = operation.access === 'public';
  const requiredRole = operation.access === 'public' ? 'viewer' : operation.access;
  const inputs = compileInputReaders(operation);
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
      if (!isPublic) {
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
      const rawParams = (await nextContext?.params) ?? {};
      const params = readPathParams(operation, rawParams);
      // Lines about one task or step say which, as the orchestrator's do.
      if (params.taskId !== undefined) {
        log = log.child({ task_id: String(params.taskId), ...(typeof params.step === 'string' ? { step: params.step } : {}) });
      }
      const query = inputs.readQuery(request);
      const body = await inputs.readBody(request);
      response = await handler(request, {
        params,
        query,
        body,
        principal,
        runtime,
        db,
        authConfig,
        log,
        requestId,
      } as RouteContext<O>);
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
    log[requestLogLevel(request.method, response.status)](
      { method: request.method, path: url.pathname, route, status: response.status, duration_ms: Math.round(durationMs * 10) / 10 },
      'request',
    );
    return response;
  };
}

/**
 * Reads that succeed are logged at debug: a dashboard polls, and its reads would bury the lines that
 * matter. Changes and refusals are info; server errors are error (their cause is logged apart).
 */
export function requestLogLevel(method: string, status: number): 'debug' | 'info' | 'error' {
  if (status >= 500) {
    return 'error';
  }
  return SAFE_METHODS.has(method) && status < 400 ? 'debug' : 'info';
}
