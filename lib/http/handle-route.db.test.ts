import { afterAll, afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import { AppError, ConflictError } from '../errors';
import { callHandler, createTestRuntime, listRouteFiles, loadRouteHandlers, restoreRouteRuntime, type TestRuntime } from '../testing/route-testing';
import { handleRoute } from './handle-route';

let runtime: TestRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});
afterAll(() => restoreRouteRuntime());

/** A route of no operation: it only throws. */
const anything = {
  method: 'GET',
  path: '/api/v1/anything',
  tag: 'System',
  summary: 'Throws the error under test',
  access: 'viewer',
  responses: {},
  errors: [400, 404, 409, 413, 415, 422],
} as const;

describeEachDatabase('handleRoute', (suite) => {
  it('maps every error code to its status in the one error shape, and hides what an unexpected error says', async () => {
    runtime = await createTestRuntime(suite.database);
    const cases: [AppError | Error, number][] = [
      [new AppError('malformed', 'm'), 400],
      [new AppError('unauthorized', 'u'), 401],
      [new AppError('forbidden', 'f'), 403],
      [new AppError('not_found', 'n'), 404],
      [new ConflictError('c', [{ path: '/x', message: 'taken' }]), 409],
      [new AppError('payload_too_large', 'p'), 413],
      [new AppError('unsupported_media_type', 's'), 415],
      [new AppError('invalid_input', 'i', { details: [{ path: '/a', message: 'bad' }] }), 422],
      [new AppError('invalid_template', 't'), 422],
      [new Error('relation "secret_table" does not exist: select * from secret_table'), 500],
      [new TypeError("Cannot read properties of undefined (reading 'x')"), 500],
    ];
    for (const [error, status] of cases) {
      const route = handleRoute(anything, async () => {
        throw error;
      });
      const response = await callHandler(route, 'GET', anything.path, { operation: { operationId: 'anything', ...anything } });
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string; details: unknown[] } };
      expect(Object.keys(body.error)).toEqual(['code', 'message', 'details']);
      if (status === 500) {
        expect(body.error.code).toBe('internal');
        expect(body.error.message).toMatch(/request id [0-9a-f-]{36}$/);
        expect(JSON.stringify(body)).not.toMatch(/secret|select|undefined|TypeError/);
        expect(body.error.message).toContain(response.headers.get('x-request-id'));
      } else {
        expect(body.error.message).toBe(error.message);
        expect(body.error.details).toEqual((error as AppError).details);
      }
      if (status === 401) {
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
  });

  it('answers 409 for demo service changes when the demo services are off', async () => {
    runtime = await createTestRuntime(suite.database, { demoServices: false });
    const files = listRouteFiles();
    const mode = files.find((entry) => entry.path === '/api/v1/services/{name}/mode')!;
    const reset = files.find((entry) => entry.path === '/api/v1/services/reset')!;
    const services = files.find((entry) => entry.path === '/api/v1/services')!;
    const modeAnswer = await callHandler((await loadRouteHandlers(mode.file)).POST!, 'POST', mode.path, {
      params: { name: 'billing' },
      body: { mode: 'down' },
    });
    expect(modeAnswer.status).toBe(409);
    expect(((await modeAnswer.json()) as { error: { code: string } }).error.code).toBe('conflict');
    expect((await callHandler((await loadRouteHandlers(reset.file)).POST!, 'POST', reset.path)).status).toBe(409);
    const list = (await (await callHandler((await loadRouteHandlers(services.file)).GET!, 'GET', services.path)).json()) as {
      services: { demo: boolean; mode: string | null }[];
    };
    expect(list.services.every((service) => !service.demo && service.mode === null)).toBe(true);
  });
});
