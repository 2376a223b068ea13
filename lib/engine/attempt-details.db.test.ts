import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import type { AttemptList } from '../api/types';
import { defineStepHandler } from '../handlers/define-step-handler';
import { builtInHandlers, createHandlerRegistry } from '../handlers/index';
import { createServiceCallerFactory } from '../runtime/host';
import { callHandler, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';
import { saveTestTemplate, waitForTaskStatus } from '../testing/task-testing';
import { MAX_ATTEMPT_BODY_CHARACTERS, MAX_ATTEMPT_LOG_LINES } from './attempt-recorder';
import { startOrchestrator } from './runner';

/** Secrets a task sends and a service answers with: none of them may appear in a stored attempt. */
const SECRETS = {
  password: 'hunter2-pw-7f3a',
  card: '4111 1111 1111 1111',
  apiToken: 'api-token-9c1e',
  cookie: 'session-cookie-5d2b',
  serviceToken: 'service-token-e8a4',
  serviceCookie: 'server-cookie-0b6c',
  extraField: 'iban-DE89370400440532013000',
  loggedPassword: 'logged-pw-31aa',
  loggedToken: 'logged-token-77de',
};

type Received = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };
const received: Received[] = [];
let server: http.Server;
let serviceUrl: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      if (request.url!.startsWith('/accounts')) {
        response.writeHead(201, {
          'content-type': 'application/json',
          'set-cookie': `sid=${SECRETS.serviceCookie}; HttpOnly`,
          'x-request-id': 'req-1',
        });
        response.end(JSON.stringify({ id: 'acct_1', status: 'active', session: { access_token: SECRETS.serviceToken } }));
      } else if (request.url === '/slow') {
        // Answers long after the step's timeout: the attempt must show what it sent all the same.
        setTimeout(() => response.writeHead(200).end('{}'), 3000).unref();
      } else if (request.url === '/report') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ rows: Array.from({ length: 2000 }, (_, index) => ({ index, label: `row ${index}` })) }));
      } else {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'ledger unavailable' }, debug: { token: SECRETS.serviceToken } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Logs more lines than an attempt keeps, with secrets in its fields and messages. */
const chattyHandler = defineStepHandler<Record<string, never>>({
  name: 'test.chatty',
  description: 'Logs 60 lines, then succeeds.',
  configSchema: { type: 'object' },
  async handle(_config, { log }) {
    log.info('starting', { password: SECRETS.loggedPassword, attempt_note: 'first' });
    log.warn(`calling with token=${SECRETS.loggedToken}`);
    for (let index = 2; index < 60; index += 1) {
      log.info(`line ${index}`);
    }
    return { ok: true };
  },
});

const handlers = createHandlerRegistry([...builtInHandlers, chattyHandler]);
const testRuntime = registerRouteTestRuntime();

describeEachDatabase("an attempt's request, response and log lines", (suite) => {
  async function runTask() {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'secrets',
      steps: [
        {
          name: 'create_account',
          handler: 'http',
          handlerConfig: {
            service: 'vault',
            path: '/accounts?api_token={{ context.api_token }}&plan=pro',
            headers: { Authorization: 'Bearer {{ context.api_token }}', Cookie: 'sid={{ context.cookie }}', 'X-Trace': 'trace-1' },
            body: {
              email: '{{ context.email }}',
              password: '{{ context.password }}',
              payment: { card_number: '{{ context.card }}', country: 'DE' },
              iban: '{{ context.iban }}',
            },
          },
        },
        { name: 'report', handler: 'http', dependsOn: ['create_account'], handlerConfig: { service: 'vault', path: '/report' } },
        { name: 'chatty', handler: 'test.chatty', dependsOn: ['create_account'] },
        {
          name: 'slow_call',
          handler: 'http',
          timeoutSeconds: 1,
          retryLimit: 1,
          handlerConfig: { service: 'vault', path: '/slow', body: { password: '{{ context.password }}' } },
        },
        {
          name: 'ledger',
          handler: 'http',
          dependsOn: ['report', 'chatty'],
          retryLimit: 1,
          handlerConfig: {
            service: 'vault',
            path: '/ledger?access_token={{ context.api_token }}',
            body: { amount: 10, secret: '{{ context.password }}' },
          },
        },
      ],
    });
    const { task } = await createTask(db, {
      namespace: 'tests',
      name: 'secrets',
      context: {
        email: 'ann@example.com',
        password: SECRETS.password,
        card: SECRETS.card,
        api_token: SECRETS.apiToken,
        cookie: SECRETS.cookie,
        iban: SECRETS.extraField,
      },
    });
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers,
      createServiceCaller: createServiceCallerFactory({ vault: serviceUrl }),
      pollIntervalMs: 50,
      shutdownGraceMs: 100,
      circuitBreaker: false,
      redactFields: ['iban'],
    });
    testRuntime.orchestrators.push(orchestrator);
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('error');
    return task.id;
  }

  async function listAttempts(taskId: number, step: string) {
    const { GET } = await loadRouteHandlers(path.resolve('app/api/v1/tasks/[taskId]/steps/[step]/attempts/route.ts'));
    const response = await callHandler(GET!, 'GET', '/api/v1/tasks/{taskId}/steps/{step}/attempts', { params: { taskId: String(taskId), step } });
    expect(response.status).toBe(200);
    return ((await response.json()) as AttemptList).items;
  }

  it('stores the request and response with secrets redacted: no password, card, token or cookie reaches step_attempts', async () => {
    await testRuntime.start(suite.database);
    received.length = 0;
    const taskId = await runTask();

    // The service really got the secrets: the attempt's record is what leaves them out.
    const account = received.find((request) => request.url.startsWith('/accounts'))!;
    expect(account.headers.authorization).toBe(`Bearer ${SECRETS.apiToken}`);
    expect(account.headers.cookie).toBe(`sid=${SECRETS.cookie}`);
    expect(JSON.parse(account.body)).toMatchObject({ password: SECRETS.password, payment: { card_number: SECRETS.card } });

    // The rows as stored, every column as text.
    const rows = await queryRows<{ row: string }>(suite.database.db, sql`select a::text as row from step_attempts a where a.task_id = ${taskId}`);
    expect(rows).toHaveLength(5);
    const stored = rows.map((row) => row.row).join('\n');
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(stored, name).not.toContain(secret);
      expect(stored, name).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
    expect(stored).toContain('[redacted]');
    // The failed call's error quotes its path: redacted there too, in the step's last error and the audit trail.
    const errors = await queryRows<{ row: string }>(
      suite.database.db,
      sql`select s.last_error::text as row from steps s where s.task_id = ${taskId} and s.last_error is not null
        union all select t::text from transitions t where t.task_id = ${taskId}`,
    );
    expect(errors.map((row) => row.row).join('\n')).toContain('/ledger?access_token=[redacted] answered 500');
    expect(errors.map((row) => row.row).join('\n')).not.toContain(SECRETS.apiToken);

    const [created] = await listAttempts(taskId, 'create_account');
    expect(created).toMatchObject({
      outcome: 'complete',
      http_status: 201,
      service_calls: 1,
      request: {
        service: 'vault',
        method: 'POST',
        path: '/accounts?api_token=[redacted]&plan=pro',
        headers: {
          authorization: '[redacted]',
          cookie: '[redacted]',
          'x-trace': 'trace-1',
          'content-type': 'application/json',
          'idempotency-key': expect.stringMatching(/^switchyard-step-/),
        },
        body: {
          email: 'ann@example.com',
          password: '[redacted]',
          payment: { card_number: '[redacted]', country: 'DE' },
          iban: '[redacted]',
        },
        body_cut: false,
      },
      response: {
        status: 201,
        headers: { 'set-cookie': '[redacted]', 'x-request-id': 'req-1', 'content-type': 'application/json' },
        body: { id: 'acct_1', status: 'active', session: { access_token: '[redacted]' } },
        body_cut: false,
      },
    });
    // The handler's own log line comes back with the attempt.
    expect(created!.logs).toEqual([
      { at: expect.any(String), level: 'info', message: 'service answered', fields: expect.objectContaining({ service: 'vault', status: 201 }) },
    ]);

    // An attempt cut short by its timeout shows what it sent, and that no answer came.
    const [slow] = await listAttempts(taskId, 'slow_call');
    expect(slow).toMatchObject({
      outcome: 'timeout',
      service_calls: 1,
      request: { method: 'POST', path: '/slow', body: { password: '[redacted]' } },
      response: null,
    });

    // A failed attempt is stored the same way, by the statement that records the failure.
    const [ledger] = await listAttempts(taskId, 'ledger');
    expect(ledger).toMatchObject({
      outcome: 'retryable_error',
      request: { method: 'POST', path: '/ledger?access_token=[redacted]', body: { amount: 10, secret: '[redacted]' } },
      response: { status: 500, body: { error: { message: 'ledger unavailable' }, debug: { token: '[redacted]' } } },
      logs: [],
    });
  });

  it('cuts a big body at the stated size and marks it; keeps at most the stated number of log lines, redacted', async () => {
    await testRuntime.start(suite.database);
    const taskId = await runTask();

    const [report] = await listAttempts(taskId, 'report');
    expect(report!.request).toMatchObject({ method: 'GET', body: null, body_cut: false });
    expect(report!.response).toMatchObject({ status: 200, body_cut: true });
    const body = report!.response!.body as string;
    expect(typeof body).toBe('string');
    expect(body.startsWith('{"rows":[{"index":0,"label":"row 0"}')).toBe(true);
    expect(body).toMatch(/… \[cut: \d+ more characters\]$/);
    expect(body.length).toBeLessThan(MAX_ATTEMPT_BODY_CHARACTERS + 50);

    const [chatty] = await listAttempts(taskId, 'chatty');
    expect(chatty).toMatchObject({ outcome: 'complete', service_calls: 0, request: null, response: null });
    expect(chatty!.logs).toHaveLength(MAX_ATTEMPT_LOG_LINES + 1);
    expect(chatty!.logs[0]).toMatchObject({ level: 'info', message: 'starting', fields: { password: '[redacted]', attempt_note: 'first' } });
    expect(chatty!.logs[1]).toMatchObject({ level: 'warn', message: 'calling with token=[redacted]', fields: null });
    expect(chatty!.logs.at(-2)).toMatchObject({ message: `line ${MAX_ATTEMPT_LOG_LINES - 1}` });
    expect(chatty!.logs.at(-1)).toMatchObject({
      level: 'warn',
      message: `10 more log lines were not kept (at most ${MAX_ATTEMPT_LOG_LINES} per attempt)`,
    });
  });
});
