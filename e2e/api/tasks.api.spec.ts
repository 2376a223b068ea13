import { expect, test } from '@playwright/test';
import type { AttemptList, TaskDetail, TaskList, TransitionList } from '../../lib/api/types';
import { createFailedTask, createTask, expectError, listTasks, NAMESPACE, newRun, waitForStatus } from './http-api';

test('creates a task (201) with its steps, answers a repeat by idempotency key or identity with the same task (200), and refuses the key with another body (422)', async ({
  request,
}) => {
  const run = newRun();
  const email = `${run}@example.com`;
  const response = await request.post('/api/v1/tasks', {
    data: { namespace: NAMESPACE, name: 'api_diamond', context: { customer: { email }, run } },
    headers: { 'Idempotency-Key': `key-${run}`, 'X-Correlation-ID': `corr-${run}` },
  });
  expect(response.status(), await response.text()).toBe(201);
  const task = (await response.json()) as TaskDetail;
  expect(response.headers().location).toBe(`/api/v1/tasks/${task.id}`);
  expect(task).toMatchObject({
    namespace: NAMESPACE,
    name: 'api_diamond',
    version: '1.0.0',
    context: { customer: { email, tier: 'free' }, run },
    correlation_id: `corr-${run}`,
    idempotency_key: `key-${run}`,
    created_by: 'local',
  });
  expect(task.steps.map((step) => [step.name, step.depends_on])).toEqual([
    ['start', []],
    ['left', ['start']],
    ['right', ['start']],
    ['join', ['left', 'right']],
  ]);

  const byHeader = await request.post('/api/v1/tasks', {
    data: { namespace: NAMESPACE, name: 'api_diamond', context: { run, customer: { email } } },
    headers: { 'Idempotency-Key': `key-${run}` },
  });
  expect(byHeader.status()).toBe(200);
  expect(((await byHeader.json()) as TaskDetail).id).toBe(task.id);
  const byBody = await request.post('/api/v1/tasks', {
    data: { namespace: NAMESPACE, name: 'api_diamond', context: { customer: { email }, run }, idempotency_key: `key-${run}` },
  });
  expect(((await byBody.json()) as TaskDetail).id).toBe(task.id);
  // The key names one request: another context under it is refused, not answered with this task.
  const reused = await expectError(
    await request.post('/api/v1/tasks', {
      data: { namespace: NAMESPACE, name: 'api_diamond', context: { customer: { email: `other-${email}` } } },
      headers: { 'Idempotency-Key': `key-${run}` },
    }),
    422,
    'invalid_input',
  );
  expect(reused.details).toEqual([{ path: '/idempotency_key', message: expect.stringContaining(`task ${task.id}`) }]);
  const byIdentity = await request.post('/api/v1/tasks', { data: { namespace: NAMESPACE, name: 'api_diamond', context: { customer: { email } } } });
  expect(byIdentity.status()).toBe(200);
  expect(((await byIdentity.json()) as TaskDetail).id).toBe(task.id);
  await waitForStatus(request, task.id, 'complete');
});

test('refuses a bad task request with the right status, and creates nothing', async ({ request }) => {
  const run = newRun();
  const before = (await listTasks(request, { q: run })).items.length;
  const invalid = await expectError(
    await request.post('/api/v1/tasks', {
      data: { namespace: NAMESPACE, name: 'api_diamond', context: { customer: { email: 'nope', tier: 'gold' }, run } },
    }),
    422,
    'invalid_input',
  );
  expect(invalid.details.map((detail) => detail.path).sort()).toEqual(['/context/customer/email', '/context/customer/tier']);
  const shape = await expectError(await request.post('/api/v1/tasks', { data: { name: 5, context: [], extra: true } }), 422, 'invalid_input');
  expect(shape.details.map((detail) => detail.path).sort()).toEqual(['/context', '/extra', '/name']);
  const header = await expectError(
    await request.post('/api/v1/tasks', {
      data: { namespace: NAMESPACE, name: 'api_diamond', context: { customer: { email: `${run}@example.com` } }, idempotency_key: 'a' },
      headers: { 'Idempotency-Key': 'b' },
    }),
    422,
  );
  expect(header.details).toEqual([{ path: '/idempotency_key', message: 'differs from the Idempotency-Key header' }]);
  await expectError(await request.post('/api/v1/tasks', { data: { namespace: NAMESPACE, name: 'no_such_template', context: {} } }), 404, 'not_found');
  await expectError(
    await request.post('/api/v1/tasks', { data: { namespace: NAMESPACE, name: 'api_diamond', version: '9.9.9', context: {} } }),
    404,
    'not_found',
  );
  await expectError(
    await request.post('/api/v1/tasks', { headers: { 'content-type': 'application/json' }, data: Buffer.from('{"name": ') }),
    400,
    'malformed',
  );
  await expectError(await request.post('/api/v1/tasks', { headers: { 'content-type': 'text/plain' }, data: '{}' }), 415, 'unsupported_media_type');
  await expectError(
    await request.post('/api/v1/tasks', { data: { namespace: NAMESPACE, name: 'api_diamond', context: { run, pad: 'x'.repeat(1024 * 1024) } } }),
    413,
    'payload_too_large',
  );
  await expectError(
    await request.post('/api/v1/tasks', {
      headers: { 'content-type': 'application/json' },
      data: Buffer.from(`{"namespace":"${NAMESPACE}","name":"api_diamond","context":{"run":"${run}","__proto__":{"x":1}}}`),
    }),
    422,
  );
  expect((await listTasks(request, { q: run })).items.length).toBe(before);
});

test('lists tasks with filters and a keyset cursor: every task once, newest first', async ({ request }) => {
  const run = newRun();
  const created: string[] = [];
  for (let index = 0; index < 7; index++) {
    created.push((await createTask(request, 'api_diamond', { customer: { email: `${run}-${index}@example.com` }, run })).id);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: TaskList = await listTasks(request, { q: run, limit: 3, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(3);
    seen.push(...page.items.map((item) => item.id));
    cursor = page.next_cursor;
  } while (cursor);
  expect(seen).toEqual([...created].reverse());

  const email = (await listTasks(request, { q: `${run}-4@EXAMPLE.com` })).items;
  expect(email.map((item) => item.id)).toEqual([created[4]]);
  expect(email[0]).toMatchObject({ step_count: 4, namespace: NAMESPACE, name: 'api_diamond' });
  const failed = await createFailedTask(request, run);
  expect((await listTasks(request, { q: run, status: 'error' })).items.map((item) => item.id)).toEqual([failed.id]);
  expect((await listTasks(request, { q: run, step: 'charge', step_status: 'error,waiting_retry' })).items.map((item) => item.id)).toEqual([
    failed.id,
  ]);
  expect((await listTasks(request, { q: run, name: 'api_diamond', namespace: NAMESPACE })).items).toHaveLength(7);
  expect((await listTasks(request, { q: run, created_after: '2999-01-01' })).items).toEqual([]);
  expect((await listTasks(request, { q: run, created_before: '2999-01-01T00:00:00Z' })).items).toHaveLength(8);

  const bad = await expectError(
    await request.get('/api/v1/tasks', { params: { limit: 501, status: 'bogus', created_after: '2026-02-30', wrong: 1 } }),
    422,
    'invalid_input',
  );
  expect(bad.details.map((detail) => detail.path).sort()).toEqual(['/limit', '/status/0', '/wrong']);
  await expectError(await request.get('/api/v1/tasks', { params: { created_after: '2026-02-30' } }), 422);
  await expectError(await request.get('/api/v1/tasks', { params: { cursor: 'garbage' } }), 422);
});

test('shows a task, its audit trail and the attempts of a step; unknown ids are 404', async ({ request }) => {
  const task = await createFailedTask(request, newRun());
  const charge = task.steps.find((step) => step.name === 'charge')!;
  expect(charge).toMatchObject({ status: 'error', attempts: 1, retry_limit: 1, skippable: true, depends_on: ['reserve'] });
  expect(charge.last_error).toMatchObject({ class: 'PermanentError', code: 'test_permanent', message: 'card declined for order 4711' });

  const transitions = (await (await request.get(`/api/v1/tasks/${task.id}/transitions`)).json()) as TransitionList;
  expect(transitions.items.filter((row) => row.step_name === 'charge').map((row) => row.to_status)).toEqual([
    'pending',
    'ready',
    'in_progress',
    'error',
  ]);
  expect(transitions.items[0]).toMatchObject({ step_name: null, to_status: 'pending', actor: 'local' });

  for (const ref of ['charge', charge.id]) {
    const attempts = (await (await request.get(`/api/v1/tasks/${task.id}/steps/${ref}/attempts`)).json()) as AttemptList;
    expect(attempts.items).toHaveLength(1);
    expect(attempts.items[0]).toMatchObject({ number: 1, outcome: 'permanent_error', error: { class: 'PermanentError', code: 'test_permanent' } });
  }
  for (const id of ['999999999', 'abc', '0', '-3', '1.5']) {
    await expectError(await request.get(`/api/v1/tasks/${id}`), 404, 'not_found');
    await expectError(await request.get(`/api/v1/tasks/${id}/transitions`), 404, 'not_found');
    await expectError(await request.get(`/api/v1/tasks/${id}/events`), 404, 'not_found');
  }
  await expectError(await request.get(`/api/v1/tasks/${task.id}/steps/nope/attempts`), 404, 'not_found');
});
