import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../errors';
import type { ServiceCallRecord } from '../handlers/define-step-handler';
import { createServiceCaller, parseRetryAfter } from './call-service';

type Received = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

let server: http.Server;
let baseUrl: string;
const received: Received[] = [];

/** A service under /svc whose answers are chosen by the path: /status/<code>, /slow, /empty, /echo, /text. */
function answer(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://test.local');
  received.push({ method: request.method ?? '', url: url.pathname + url.search, headers: request.headers, body });
  const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    response.end(JSON.stringify(payload));
  };
  const status = /^\/svc\/status\/(\d{3})$/.exec(url.pathname);
  if (status?.[1]) {
    const retryAfter = url.searchParams.get('retry_after');
    json(Number(status[1]), { error: { code: 'nope', message: `refused with ${status[1]}` } }, retryAfter ? { 'Retry-After': retryAfter } : {});
  } else if (url.pathname === '/svc/slow') {
    setTimeout(() => json(200, { slow: true }), 2000);
  } else if (url.pathname === '/svc/empty') {
    response.writeHead(204).end();
  } else if (url.pathname === '/svc/text') {
    response.writeHead(500, { 'Content-Type': 'text/plain' }).end('plain failure');
  } else if (url.pathname === '/svc/redirect') {
    response.writeHead(302, { Location: 'http://example.com/' }).end();
  } else {
    json(200, { method: request.method, path: url.pathname, query: url.search, body: body ? (JSON.parse(body) as unknown) : null });
  }
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function createCaller(options: { signal?: AbortSignal; urls?: Record<string, string> } = {}) {
  const calls: ServiceCallRecord[] = [];
  const caller = createServiceCaller({
    urls: options.urls ?? { svc: `${baseUrl}/svc` },
    idempotencyKey: 'step-key-1',
    correlationId: 'corr-1',
    signal: options.signal ?? new AbortController().signal,
    onCall: (record) => calls.push(record),
  });
  return { caller, calls };
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('createServiceCaller', () => {
  it('sends JSON with the idempotency, correlation and content-type headers, and returns the parsed body', async () => {
    const { caller, calls } = createCaller();
    const response = await caller.call('svc', '/things?x=1', { method: 'POST', body: { name: 'a' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ method: 'POST', path: '/svc/things', query: '?x=1', body: { name: 'a' } });
    const request = received.at(-1);
    expect(request?.headers['idempotency-key']).toBe('step-key-1');
    expect(request?.headers['x-correlation-id']).toBe('corr-1');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(calls).toEqual([
      {
        service: 'svc',
        method: 'POST',
        path: '/things?x=1',
        callId: 1,
        status: 200,
        latencyMs: expect.any(Number) as number,
        requestHeaders: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'Idempotency-Key': 'step-key-1',
          'X-Correlation-ID': 'corr-1',
        },
        requestBody: { name: 'a' },
        response: { headers: expect.any(Headers) as Headers, body: response.body },
      },
    ]);
  });

  it("sends a call's own headers, never in place of the idempotency and correlation headers", async () => {
    const { caller, calls } = createCaller();
    await caller.call('svc', '/things', {
      headers: { Authorization: 'Bearer abc', 'idempotency-key': 'mine', 'X-Correlation-ID': 'mine', accept: 'text/html' },
    });
    const request = received.at(-1);
    expect(request?.headers.authorization).toBe('Bearer abc');
    expect(request?.headers['idempotency-key']).toBe('step-key-1');
    expect(request?.headers['x-correlation-id']).toBe('corr-1');
    expect(request?.headers.accept).toBe('application/json');
    expect(calls[0]?.requestHeaders).toMatchObject({ Authorization: 'Bearer abc', 'Idempotency-Key': 'step-key-1' });
  });

  it('lets a call override the idempotency key and defaults to GET without a body', async () => {
    const { caller } = createCaller();
    await caller.call('svc', '/things', { idempotencyKey: 'call-key' });
    expect(received.at(-1)).toMatchObject({ method: 'GET', headers: { 'idempotency-key': 'call-key' } });
  });

  it('returns an empty 2xx body as undefined and a 409 to the handler', async () => {
    const { caller } = createCaller();
    await expect(caller.call('svc', '/empty')).resolves.toMatchObject({ status: 204, body: undefined });
    await expect(caller.call('svc', '/status/409', { method: 'POST', body: {} })).resolves.toMatchObject({
      status: 409,
      body: { error: { code: 'nope' } },
    });
  });

  it.each([400, 401, 403, 404, 422, 410])('makes %i a permanent error with the service message', async (status) => {
    const { caller, calls } = createCaller();
    const error = await catchError(caller.call('svc', `/status/${status}`));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ errorCode: `http_${status}`, httpStatus: status });
    expect((error as Error).message).toContain(`refused with ${status}`);
    expect(calls[0]?.status).toBe(status);
  });

  it.each([408, 500, 502, 504])('makes %i a retryable error', async (status) => {
    const { caller } = createCaller();
    const error = await catchError(caller.call('svc', `/status/${status}`));
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ errorCode: `http_${status}`, httpStatus: status, retryAfterSeconds: undefined });
  });

  it('reads Retry-After in seconds on 429 and as an HTTP date on 503', async () => {
    const { caller } = createCaller();
    await expect(caller.call('svc', '/status/429?retry_after=7')).rejects.toMatchObject({
      name: 'RetryableError',
      errorCode: 'http_429',
      retryAfterSeconds: 7,
    });
    const inThirtySeconds = new Date(Date.now() + 30_000).toUTCString();
    const error = await catchError(caller.call('svc', `/status/503?retry_after=${encodeURIComponent(inThirtySeconds)}`));
    expect(error).toBeInstanceOf(RetryableError);
    const seconds = (error as RetryableError).retryAfterSeconds ?? 0;
    expect(seconds).toBeGreaterThanOrEqual(28);
    expect(seconds).toBeLessThanOrEqual(31);
  });

  it('uses a plain-text error body as the service message', async () => {
    const { caller } = createCaller();
    await expect(caller.call('svc', '/text')).rejects.toThrow(/plain failure/);
  });

  it('does not follow redirects away from the service', async () => {
    const { caller } = createCaller();
    await expect(caller.call('svc', '/redirect')).rejects.toMatchObject({ name: 'PermanentError', errorCode: 'http_302' });
  });

  it('makes an unreachable service a retryable network error and still reports the call', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { caller, calls } = createCaller({ urls: { svc: `http://127.0.0.1:${port}` } });
    await expect(caller.call('svc', '/x')).rejects.toMatchObject({ name: 'RetryableError', errorCode: 'network_error' });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.status).toBeUndefined();
  });

  it('aborts a call when the step signal fires, as a retryable timeout', async () => {
    const controller = new AbortController();
    const { caller } = createCaller({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('step timeout')), 100);
    const startedAt = Date.now();
    await expect(caller.call('svc', '/slow')).rejects.toMatchObject({ name: 'RetryableError', errorCode: 'timeout' });
    expect(Date.now() - startedAt).toBeLessThan(1500);
    await expect(caller.call('svc', '/things')).rejects.toMatchObject({ errorCode: 'timeout' });
  });

  it('refuses an unknown service', async () => {
    const { caller, calls } = createCaller();
    await expect(caller.call('payments', '/x')).rejects.toMatchObject({ name: 'PermanentError', errorCode: 'unknown_service' });
    expect(calls).toHaveLength(0);
  });

  it.each(['x', '//evil.example/x', '/../admin', '/a/%2e%2e/admin', '/a/.%2E/b', '/x?next=http://evil.example', '/a\\b'])(
    'refuses the path %s before sending anything',
    async (path) => {
      const { caller, calls } = createCaller();
      const before = received.length;
      await expect(caller.call('svc', path)).rejects.toMatchObject({ name: 'PermanentError', errorCode: 'invalid_service_path' });
      expect(received.length).toBe(before);
      expect(calls).toHaveLength(0);
    },
  );

  it('keeps encoded slashes inside one segment under the base URL', async () => {
    const { caller } = createCaller();
    const response = await caller.call('svc', `/users/${encodeURIComponent('a/b')}`);
    expect(response.body).toMatchObject({ path: '/svc/users/a%2Fb' });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
