import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import type { ApiErrorBody, TaskDetail } from '../api/types';
import { saveSignupTemplate, startTestOrchestrator } from '../testing/failure-fixtures';
import { callHandler, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';

const ADMIN_TOKEN = 'create-task-route-admin-token-0123456789';
const testRuntime = registerRouteTestRuntime();

describeEachDatabase('POST /api/v1/tasks', (suite) => {
  async function post(body: unknown, headers: Record<string, string> = {}) {
    const { POST } = await loadRouteHandlers(path.resolve('app/api/v1/tasks/route.ts'));
    const response = await callHandler(POST!, 'POST', '/api/v1/tasks', { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers }, body });
    return { status: response.status, body: (await response.json()) as TaskDetail & ApiErrorBody };
  }

  it('answers concurrent creates of one task 201 once and 200 with that task otherwise, never 500, while an orchestrator runs', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(suite.database, { billingFailures: 0 });
    await startTestOrchestrator(suite.database, testRuntime.orchestrators);
    const shapes: Record<string, (index: number) => { body: unknown; headers?: Record<string, string> }> = {
      'one idempotency key': () => ({
        body: { namespace: 'tests', name: 'signup', context: { user_info: { email: 'key@example.com' } } },
        headers: { 'Idempotency-Key': 'signup-key' },
      }),
      'one identity, a key each': (index) => ({
        body: { namespace: 'tests', name: 'signup', context: { user_info: { email: 'same@example.com' } }, idempotency_key: `signup-${index}` },
      }),
      'one identity, no key': (index) => ({
        body: { namespace: 'tests', name: 'signup', context: { user_info: { email: 'plain@example.com', plan: index % 2 === 0 ? 'free' : 'pro' } } },
      }),
    };
    for (const [shape, request] of Object.entries(shapes)) {
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, index) => {
          const { body, headers } = request(index);
          return post(body, headers);
        }),
      );
      expect(answers.map((answer) => answer.status).sort(), shape).toEqual([
        200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
      ]);
      expect(new Set(answers.map((answer) => answer.body.id)).size, shape).toBe(1);
    }
    const [counts] = await queryRows<{ tasks: number }>(suite.database.db, sql`select count(*)::int as tasks from tasks`);
    expect(counts?.tasks).toBe(3);
  });

  it('refuses an Idempotency-Key reused with another body, 422 saying so, and writes nothing', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(suite.database);
    const headers = { 'Idempotency-Key': 'signup-ivy' };
    const first = await post({ namespace: 'tests', name: 'signup', context: { user_info: { email: 'ivy@example.com' } } }, headers);
    expect(first.status).toBe(201);
    const repeat = await post({ namespace: 'tests', name: 'signup', context: { user_info: { email: 'ivy@example.com' } } }, headers);
    expect(repeat).toMatchObject({ status: 200, body: { id: first.body.id } });
    const other = await post({ namespace: 'tests', name: 'signup', context: { user_info: { email: 'jay@example.com' } } }, headers);
    expect(other.status).toBe(422);
    expect(other.body.error).toEqual({
      code: 'invalid_input',
      message: 'This Idempotency-Key was already used for a different request',
      details: [{ path: '/idempotency_key', message: expect.stringContaining(`task ${first.body.id}`) }],
    });
    const [counts] = await queryRows<{ tasks: number }>(suite.database.db, sql`select count(*)::int as tasks from tasks`);
    expect(counts?.tasks).toBe(1);
  });
  it('answers each of many concurrent creates with its own task, read together: steps, dependencies and revision; a bad one alone refused', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(suite.database);
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, index) =>
        post({ namespace: 'tests', name: 'signup', context: { user_info: { email: index === 5 ? 'not an address' : `u${index}@example.com` } } }),
      ),
    );
    for (const [index, answer] of answers.entries()) {
      if (index === 5) {
        expect(answer.status).toBe(422);
        expect(answer.body.error).toMatchObject({ code: 'invalid_input', details: [{ path: '/context/user_info/email' }] });
        continue;
      }
      expect(answer.status, `create ${index}`).toBe(201);
      expect(answer.body).toMatchObject({
        context: { user_info: { email: `u${index}@example.com`, plan: 'free' } },
        status: 'pending',
        revision: '5',
        steps: [
          { name: 'user', status: 'ready', depends_on: [], waiting_reason: null },
          { name: 'billing', status: 'pending', depends_on: ['user'], waiting_reason: { kind: 'dependencies' } },
          { name: 'preferences', status: 'pending', depends_on: ['user'], waiting_reason: { kind: 'dependencies' } },
          { name: 'welcome', status: 'pending', depends_on: ['billing', 'preferences'], waiting_reason: { kind: 'dependencies' } },
        ],
      });
    }
    expect(new Set(answers.filter((answer) => answer.status === 201).map((answer) => answer.body.id)).size).toBe(23);
    // The same answer GET /tasks/{id} gives, one task at a time.
    const { GET } = await loadRouteHandlers(path.resolve('app/api/v1/tasks/[taskId]/route.ts'));
    const first = answers[0]!.body;
    const read = await callHandler(GET!, 'GET', '/api/v1/tasks/{taskId}', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      params: { taskId: first.id },
    });
    expect(await read.json()).toEqual(first);
  });
});
