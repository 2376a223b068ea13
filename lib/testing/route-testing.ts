import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';
import type { Database } from '../../db/client';
import { errorSchema } from '../api/schemas/response-schemas';
import { startDemoServices, type DemoServices } from '../demo/demo-services';
import type { Orchestrator } from '../engine/runner';
import { readEnv } from '../env';
import { defaultHandlerRegistry } from '../handlers/index';
import { API_OPERATIONS, type ApiOperation } from '../http/api-operations';
import { setRouteRuntimeForTests } from '../http/route-runtime';
import type { Runtime } from '../runtime/host';
import { listServiceNames, readServiceAliases, resolveServiceUrls } from '../services/service-registry';
import { compileSchema, type ValidationResult } from '../validation';

/**
 * Test-only: calls the route modules of app/api/v1 directly, as Next.js would, against a test database
 * and a runtime whose environment the test chooses (ADMIN_TOKEN or local mode).
 */
const API_ROOT = path.resolve(process.cwd(), 'app/api/v1');
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const BASE_URL = 'http://127.0.0.1:3210';

export type RouteFile = { file: string; path: string };

/** Every route.ts under app/api/v1, with the API path it serves (`[taskId]` → `{taskId}`). */
export function listRouteFiles(directory = API_ROOT): RouteFile[] {
  const found: RouteFile[] = [];
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      found.push(...listRouteFiles(full));
    } else if (entry.name === 'route.ts') {
      const relative = path.relative(API_ROOT, directory).split(path.sep).filter(Boolean);
      const segments = relative.map((segment) => segment.replace(/^\[(.+)\]$/, '{$1}'));
      found.push({ file: full, path: ['/api/v1', ...segments].join('/') });
    }
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function loadRouteHandlers(file: string): Promise<Partial<Record<(typeof HTTP_METHODS)[number], RouteHandler>>> {
  const routeModule = (await import(file)) as Record<string, unknown>;
  const handlers: Partial<Record<(typeof HTTP_METHODS)[number], RouteHandler>> = {};
  for (const method of HTTP_METHODS) {
    if (typeof routeModule[method] === 'function') {
      handlers[method] = routeModule[method] as RouteHandler;
    }
  }
  return handlers;
}

export type TestRuntime = Runtime & { demoServices: DemoServices | undefined };

export async function createTestRuntime(
  database: Database,
  { adminToken, demoServices = false }: { adminToken?: string; demoServices?: boolean } = {},
): Promise<TestRuntime> {
  // Through readEnv, so a test's ADMIN_TOKEN meets the same rules as a server's (at least 32 characters).
  const env = readEnv({ E2E: '1', ...(adminToken === undefined ? {} : { ADMIN_TOKEN: adminToken }) });
  const demo = demoServices ? await startDemoServices({ port: 0 }) : undefined;
  const runtime: TestRuntime = {
    env,
    database,
    handlers: defaultHandlerRegistry({ withTestHandlers: true }),
    serviceNames: listServiceNames({}),
    serviceAliases: readServiceAliases({}),
    serviceUrls: resolveServiceUrls({ env: {}, ...(demo ? { demoServicesUrl: demo.url } : {}) }),
    demoServices: demo,
    orchestrator: undefined,
    startedAt: new Date(),
    async stop() {
      await demo?.close();
    },
  };
  setRouteRuntimeForTests(runtime);
  return runtime;
}

export function restoreRouteRuntime(): void {
  setRouteRuntimeForTests(undefined);
}

/**
 * For a test file that calls routes: after each test, stops the orchestrators it registered in
 * `orchestrators` and the runtime it started with `start`; after the file, restores the route runtime.
 */
export function registerRouteTestRuntime() {
  let current: TestRuntime | undefined;
  const orchestrators: Orchestrator[] = [];
  afterEach(async () => {
    await Promise.all(orchestrators.splice(0).map((orchestrator) => orchestrator.stop()));
    await current?.stop();
    current = undefined;
  });
  afterAll(() => restoreRouteRuntime());
  return {
    orchestrators,
    async start(database: Database, options?: Parameters<typeof createTestRuntime>[1]): Promise<TestRuntime> {
      current = await createTestRuntime(database, options);
      return current;
    },
  };
}

export type CallOptions = {
  params?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON (with its Content-Type unless headers say otherwise); a string or bytes as they are. */
  body?: unknown;
  query?: string;
  signal?: AbortSignal;
  /** The entry the answer is checked against; by default the one of this method and path. */
  operation?: ApiOperation;
};

const validators = new WeakMap<object, (value: unknown) => ValidationResult<unknown>>();

function validatorOf(schema: object): (value: unknown) => ValidationResult<unknown> {
  let validate = validators.get(schema);
  if (!validate) {
    validate = compileSchema<unknown>(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * Throws unless the answer is one its operation's entry (lib/http/api-operations.ts) lists: a success
 * status with its media type and, for JSON, a body its schema accepts exactly; or a listed error status
 * with the Error shape. Every route test goes through here, so every answer a test sees is checked.
 */
async function checkAnswerAgainstContract(operation: ApiOperation, response: Response): Promise<void> {
  const where = `${operation.method} ${operation.path} answered ${response.status}`;
  const contentType = response.headers.get('content-type') ?? '';
  const success = operation.responses[response.status];
  const errorStatuses = [...operation.errors, ...(operation.access === 'public' ? [] : [401, 403, 429]), 500];
  if (!success && !(response.status >= 400 && errorStatuses.includes(response.status))) {
    throw new Error(`${where}, a status its entry does not list`);
  }
  if (success?.mediaType !== undefined) {
    if (!contentType.startsWith(success.mediaType)) {
      throw new Error(`${where} with Content-Type ${contentType}, not ${success.mediaType}`);
    }
    return;
  }
  if (!contentType.startsWith('application/json')) {
    throw new Error(`${where} with Content-Type ${contentType}, not application/json`);
  }
  const body: unknown = await response.clone().json();
  const result = validatorOf(success?.schema ?? errorSchema)(body);
  if (!result.ok) {
    throw new Error(`${where} with a body its schema refuses: ${JSON.stringify(result.errors)}\n${JSON.stringify(body).slice(0, 2000)}`);
  }
}

/** Builds the Request and calls the handler as Next.js would; the answer is checked against the contract (checkAnswerAgainstContract). */
export async function callHandler(handler: RouteHandler, method: string, routePath: string, options: CallOptions = {}): Promise<Response> {
  let pathname = routePath;
  for (const [name, value] of Object.entries(options.params ?? {})) {
    pathname = pathname.replace(`{${name}}`, encodeURIComponent(value));
  }
  const headers = new Headers(options.headers);
  let body: BodyInit | undefined;
  if (options.body instanceof Uint8Array || typeof options.body === 'string') {
    body = options.body as BodyInit;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has('content-type')) {
      headers.set('content-type', 'application/json');
    }
  }
  const request = new Request(`${BASE_URL}${pathname}${options.query ?? ''}`, { method, headers, body, signal: options.signal });
  const response = await handler(request, { params: Promise.resolve(options.params ?? {}) });
  const operation = options.operation ?? API_OPERATIONS.find((entry) => entry.method === method && entry.path === routePath);
  if (!operation) {
    throw new Error(`${method} ${routePath} has no entry in lib/http/api-operations.ts`);
  }
  await checkAnswerAgainstContract(operation, response);
  return response;
}
