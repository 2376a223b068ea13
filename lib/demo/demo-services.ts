import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHostname, parseHostHeader } from '../auth/loopback';
import { findCrossSiteChange } from '../auth/request-perimeter';
import { hasRole, type Role } from '../auth/roles';
import { createRandom } from '../seeded-random';
import { KNOWN_SERVICE_NAMES, type KnownServiceName } from '../services/service-registry';
import { checkFields, type FieldSpec } from './check-fields';
import { errorReply, routeDemoRequest, type DemoRecord, type DemoReply } from './demo-routes';

/**
 * The registration story's four services in one node:http server, each under its own prefix
 * (`/user`, `/billing`, `/preferences`, `/notification`), plus `/_control` to make them misbehave
 * on purpose (shared/API.md §6). Records live in memory and vanish with the process.
 */
export const DEMO_SERVICE_MODES = ['up', 'down', 'slow', 'flaky', 'rate_limited', 'reject'] as const;
type DemoServiceMode = (typeof DEMO_SERVICE_MODES)[number];

export type DemoServiceSettings = {
  mode: DemoServiceMode;
  latency_ms?: number;
  failure_rate?: number;
  retry_after_seconds?: number;
  /** Seeds the generator that picks which calls fail in `flaky` mode, so a run can be repeated. */
  seed?: number;
};

type DemoServiceSummary = {
  mode: DemoServiceMode;
  calls: number;
  records: number;
  latency_ms: number;
  failure_rate: number;
  retry_after_seconds: number;
};

type DemoServiceState = {
  mode: DemoServiceMode;
  latencyMs: number;
  failureRate: number;
  retryAfterSeconds: number;
  /** Requests to the service's endpoints; health checks and control calls are not counted. */
  calls: number;
  /** The last CALL_LOG_SIZE of those requests, oldest first: when each came and how it was answered. */
  callLog: DemoCall[];
  records: Map<string, DemoRecord>;
  /** The first answer given to each Idempotency-Key, replayed for every repeat. */
  replies: Map<string, DemoReply>;
  random: () => number;
};

/** One request to a demo service, as GET /_control/{service}/calls lists it. */
type DemoCall = { at: string; method: string; path: string; status: number };

/** Calls kept per service for GET /_control/{service}/calls. */
const CALL_LOG_SIZE = 10_000;

type DemoServicesState = {
  services: Record<KnownServiceName, DemoServiceState>;
  configure(service: KnownServiceName, settings: DemoServiceSettings): DemoServiceSummary;
  reset(): void;
  summarize(): { services: Record<KnownServiceName, DemoServiceSummary> };
};

export type DemoServices = { url: string; port: number; close(): Promise<void>; state: DemoServicesState };

/**
 * Who a bearer token stands for (ADMIN_TOKEN or a named API token, as the API sees them), or undefined.
 * Given when ADMIN_TOKEN is set: `/_control` then needs an operator or admin token.
 */
export type FindControlPrincipal = (token: string) => Promise<{ actor: string; role: Role } | undefined>;

const DEFAULT_SLOW_LATENCY_MS = 3000;
const DEFAULT_FAILURE_RATE = 0.2;
const DEFAULT_RETRY_AFTER_SECONDS = 2;
const MAX_BODY_BYTES = 1024 * 1024;
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const controlFields: Record<string, FieldSpec> = {
  mode: { type: 'string', required: true, enum: DEMO_SERVICE_MODES },
  latency_ms: { type: 'integer', minimum: 0, maximum: 600_000 },
  failure_rate: { type: 'number', minimum: 0, maximum: 1 },
  retry_after_seconds: { type: 'integer', minimum: 0, maximum: 86_400 },
  seed: { type: 'integer' },
};

/**
 * Starts the demo services; `port: 0` picks a free port, reported in `port` and `url`. With
 * `findControlPrincipal` (ADMIN_TOKEN is set) `/_control` needs an operator token.
 */
export async function startDemoServices({
  port,
  host = '127.0.0.1',
  findControlPrincipal,
}: {
  port: number;
  host?: string;
  findControlPrincipal?: FindControlPrincipal;
}): Promise<DemoServices> {
  const state = createDemoServicesState();
  const closing = new AbortController();
  const server = http.createServer((request, response) => {
    handleRequest(state, request, response, { closing: closing.signal, findControlPrincipal }).catch((error: unknown) => {
      if (!response.headersSent) {
        sendReply(response, errorReply(500, 'internal', `Demo services failed: ${String(error)}`));
      } else {
        response.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    state,
    async close() {
      closing.abort();
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}

function createDemoServicesState(): DemoServicesState {
  const services = Object.fromEntries(KNOWN_SERVICE_NAMES.map((name, index) => [name, createServiceState(defaultSeed(index))])) as Record<
    KnownServiceName,
    DemoServiceState
  >;

  const summarizeService = (service: DemoServiceState): DemoServiceSummary => ({
    mode: service.mode,
    calls: service.calls,
    records: service.records.size,
    latency_ms: service.latencyMs,
    failure_rate: service.failureRate,
    retry_after_seconds: service.retryAfterSeconds,
  });

  return {
    services,
    configure(name, settings) {
      const service = services[name];
      // Each setting not given returns to its default, so `{mode: "up"}` really means a healthy service.
      service.mode = settings.mode;
      service.latencyMs = settings.latency_ms ?? (settings.mode === 'slow' ? DEFAULT_SLOW_LATENCY_MS : 0);
      service.failureRate = settings.failure_rate ?? DEFAULT_FAILURE_RATE;
      service.retryAfterSeconds = settings.retry_after_seconds ?? DEFAULT_RETRY_AFTER_SECONDS;
      service.random = createRandom(settings.seed ?? defaultSeed(KNOWN_SERVICE_NAMES.indexOf(name)));
      return summarizeService(service);
    },
    reset() {
      KNOWN_SERVICE_NAMES.forEach((name, index) => {
        services[name] = createServiceState(defaultSeed(index));
      });
    },
    summarize() {
      return {
        services: Object.fromEntries(KNOWN_SERVICE_NAMES.map((name) => [name, summarizeService(services[name])])) as Record<
          KnownServiceName,
          DemoServiceSummary
        >,
      };
    },
  };
}

function createServiceState(seed: number): DemoServiceState {
  return {
    mode: 'up',
    latencyMs: 0,
    failureRate: DEFAULT_FAILURE_RATE,
    retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
    calls: 0,
    callLog: [],
    records: new Map(),
    replies: new Map(),
    random: createRandom(seed),
  };
}

function defaultSeed(index: number): number {
  return 0x5eed + index;
}

async function handleRequest(
  state: DemoServicesState,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  { closing, findControlPrincipal }: { closing: AbortSignal; findControlPrincipal: FindControlPrincipal | undefined },
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://demo-services.local');
  const method = request.method ?? 'GET';
  const raw = await readRawBody(request);
  if (url.pathname === '/_control' || url.pathname.startsWith('/_control/')) {
    const refusal = await refuseControlRequest(request, method, findControlPrincipal);
    sendReply(response, refusal ?? answerControl(state, method, url.pathname, raw));
    return;
  }
  const match = /^\/([^/]+)(\/.*)?$/.exec(url.pathname);
  const name = KNOWN_SERVICE_NAMES.find((known) => known === match?.[1]);
  if (!name) {
    sendReply(response, errorReply(404, 'not_found', `No demo service at ${url.pathname}; services are ${KNOWN_SERVICE_NAMES.join(', ')}`));
    return;
  }
  const path = match?.[2] ?? '/';
  const service = state.services[name];
  const correlationId = request.headers['x-correlation-id'];
  const echo: Record<string, string> = typeof correlationId === 'string' ? { 'X-Correlation-ID': correlationId } : {};

  if (path === '/health' && method === 'GET') {
    const reply =
      service.mode === 'down'
        ? errorReply(503, 'service_unavailable', `${name} is down`)
        : { status: 200, body: { status: 'ok', service: name, mode: service.mode } };
    sendReply(response, reply, echo);
    return;
  }

  service.calls += 1;
  const at = new Date().toISOString();
  const reply = answerServiceCall(name, service, method, path, url.searchParams, raw, request.headers['idempotency-key']);
  logCall(service, { at, method, path, status: reply.status });
  const latencyMs = service.mode === 'slow' ? service.latencyMs || DEFAULT_SLOW_LATENCY_MS : service.latencyMs;
  // The work is done before the wait, so a caller that gives up during it leaves the record behind:
  // exactly the "timed out after the service did the work" case idempotency keys exist for.
  if (latencyMs > 0) {
    await waitUnlessClosing(latencyMs, closing);
  }
  if (!response.destroyed && !response.writableEnded) {
    sendReply(response, reply, echo);
  }
}

function logCall(service: DemoServiceState, call: DemoCall): void {
  service.callLog.push(call);
  // Dropped in chunks, so that a busy service does not move 10,000 entries on every call; the answer shows the last CALL_LOG_SIZE.
  if (service.callLog.length > CALL_LOG_SIZE * 1.1) {
    service.callLog.splice(0, service.callLog.length - CALL_LOG_SIZE);
  }
}

function answerServiceCall(
  name: KnownServiceName,
  service: DemoServiceState,
  method: string,
  path: string,
  query: URLSearchParams,
  raw: RawBody,
  idempotencyKeyHeader: string | string[] | undefined,
): DemoReply {
  const failure = answerModeFailure(name, service);
  if (failure) {
    return failure;
  }
  if (raw.tooLarge) {
    return errorReply(413, 'payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const idempotencyKey = UNSAFE_METHODS.has(method) && typeof idempotencyKeyHeader === 'string' ? idempotencyKeyHeader : undefined;
  const replayed = idempotencyKey === undefined ? undefined : service.replies.get(idempotencyKey);
  if (replayed) {
    return { ...replayed, headers: { ...replayed.headers, 'Idempotent-Replayed': 'true' } };
  }
  const body = parseJson(raw.text);
  if (body === INVALID_JSON) {
    return errorReply(400, 'malformed', 'The body is not valid JSON');
  }
  // A copy, so a later change to the record (a PATCH) cannot alter the answer that is replayed.
  const reply = structuredClone(routeDemoRequest(name, { method, path, query, body }, service.records));
  // As payment APIs do, only an answer to a request the service acted on is kept for replay: a
  // refused request (4xx: invalid, conflicting) changed nothing, so a corrected retry may go through.
  if (idempotencyKey !== undefined && reply.status < 400) {
    service.replies.set(idempotencyKey, reply);
  }
  return reply;
}

/** The answer a misbehaving service gives instead of doing the work, or undefined when it works. */
function answerModeFailure(name: KnownServiceName, service: DemoServiceState): DemoReply | undefined {
  switch (service.mode) {
    case 'down':
      return errorReply(503, 'service_unavailable', `${name} is down`);
    case 'rate_limited': {
      const reply = errorReply(429, 'rate_limited', `${name} is rate limiting; retry after ${service.retryAfterSeconds}s`);
      return { ...reply, headers: { 'Retry-After': String(service.retryAfterSeconds) } };
    }
    case 'reject':
      return errorReply(422, 'rejected', `${name} rejects every request (demo mode "reject")`);
    case 'flaky':
      return service.random() < service.failureRate ? errorReply(500, 'internal', `${name} failed (demo mode "flaky")`) : undefined;
    case 'up':
    case 'slow':
      return undefined;
  }
}

/**
 * `/_control` can take every demo service down and wipe every record, so it has a lock like the API's:
 * with ADMIN_TOKEN set an operator or admin token; without it (local mode) a loopback name in `Host`,
 * so a page under another name that resolves here (DNS rebinding) cannot use it. In every mode a change
 * sent by another site's page is refused, and a POST must say it is JSON: a browser page elsewhere
 * can send text/plain, a form or no body without asking, but needs this server's consent (which it
 * never gives) to send application/json.
 */
async function refuseControlRequest(
  request: http.IncomingMessage,
  method: string,
  findControlPrincipal: FindControlPrincipal | undefined,
): Promise<DemoReply | undefined> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) {
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }
  const host = headers.get('host');
  if (!findControlPrincipal) {
    const hostname = parseHostHeader(host);
    if (hostname === undefined || !isLoopbackHostname(hostname)) {
      return errorReply(
        403,
        'forbidden',
        `Host "${host ?? ''}" is not served: without ADMIN_TOKEN the demo services control answers only to localhost, 127.0.0.1 and [::1]`,
      );
    }
  }
  const crossSiteChange = findCrossSiteChange({ method, headers, url: `http://${host ?? 'demo-services.local'}${request.url ?? '/'}` });
  if (crossSiteChange) {
    return errorReply(403, 'forbidden', crossSiteChange);
  }
  if (findControlPrincipal) {
    const token = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.get('authorization') ?? '')?.[1];
    const principal = token === undefined ? undefined : await findControlPrincipal(token);
    if (!principal) {
      const reply = errorReply(
        401,
        'unauthorized',
        token === undefined
          ? 'The demo services control needs an operator or admin token (ADMIN_TOKEN is set): send "Authorization: Bearer <token>"'
          : 'The token is not valid: it is unknown or was revoked',
      );
      return { ...reply, headers: { 'WWW-Authenticate': 'Bearer realm="switchyard"' } };
    }
    if (!hasRole(principal.role, 'operator')) {
      return errorReply(403, 'forbidden', `The demo services control needs the operator role; token '${principal.actor}' has ${principal.role}`);
    }
  }
  if (method === 'POST' && !/^application\/json[ \t]*(;|$)/i.test(headers.get('content-type') ?? '')) {
    return errorReply(415, 'unsupported_media_type', 'Send control requests as JSON: Content-Type: application/json (an empty object for reset)');
  }
  return undefined;
}

function answerControl(state: DemoServicesState, method: string, pathname: string, raw: RawBody): DemoReply {
  const target = pathname.slice('/_control/'.length);
  if (pathname === '/_control') {
    return method === 'GET' ? { status: 200, body: state.summarize() } : errorReply(405, 'method_not_allowed', 'Use GET /_control');
  }
  if (target === 'reset') {
    if (method !== 'POST') {
      return errorReply(405, 'method_not_allowed', 'Use POST /_control/reset');
    }
    state.reset();
    return { status: 200, body: state.summarize() };
  }
  const callsOf = KNOWN_SERVICE_NAMES.find((known) => target === `${known}/calls`);
  if (callsOf) {
    return method === 'GET'
      ? { status: 200, body: { calls: state.services[callsOf].callLog.slice(-CALL_LOG_SIZE) } }
      : errorReply(405, 'method_not_allowed', `Use GET /_control/${callsOf}/calls`);
  }
  const name = KNOWN_SERVICE_NAMES.find((known) => known === target);
  if (!name) {
    return errorReply(404, 'not_found', `No demo service "${target}"; services are ${KNOWN_SERVICE_NAMES.join(', ')}`);
  }
  if (method === 'GET') {
    return { status: 200, body: { service: name, ...state.summarize().services[name] } };
  }
  if (method !== 'POST') {
    return errorReply(405, 'method_not_allowed', `Use GET or POST /_control/${name}`);
  }
  if (raw.tooLarge) {
    return errorReply(413, 'payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const body = parseJson(raw.text);
  if (body === INVALID_JSON) {
    return errorReply(400, 'malformed', 'The body is not valid JSON');
  }
  const { value, problems } = checkFields(body, controlFields, { rejectUnknown: true });
  if (problems.length > 0) {
    return errorReply(422, 'invalid_input', 'The control settings are invalid', problems);
  }
  return { status: 200, body: { service: name, ...state.configure(name, value as DemoServiceSettings) } };
}

type RawBody = { text: string; tooLarge: boolean };

/** Reads the whole body, keeping at most MAX_BODY_BYTES, so an oversized request is still drained and answered. */
function readRawBody(request: http.IncomingMessage): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES }));
    request.on('error', reject);
  });
}

const INVALID_JSON = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

function waitUnlessClosing(ms: number, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (closing.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      closing.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    closing.addEventListener('abort', done, { once: true });
  });
}

function sendReply(response: http.ServerResponse, reply: DemoReply, extraHeaders: Record<string, string> = {}): void {
  const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...(payload ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': Buffer.byteLength(payload),
    ...extraHeaders,
    ...reply.headers,
  });
  response.end(payload);
}
