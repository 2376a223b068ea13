import { expect, test } from '@playwright/test';
import type { BulkRetryResult, FailureList, TaskDetail, TransitionList } from '../../lib/api/types';
import { createFailedTask, createTask, expectError, getTask, NAMESPACE, newRun, waitForStatus } from './http-api';

const stepStatus = (task: TaskDetail, name: string) => task.steps.find((step) => step.name === name)?.status;

test('retries a task and a step, resolves and skips steps; each refuses what the state does not allow', async ({ request }) => {
  const run = newRun();
  const task = await createFailedTask(request, run);

  await expectError(await request.post(`/api/v1/tasks/${task.id}/steps/audit/skip`, { data: { reason: 'no' } }), 409, 'conflict');
  await expectError(await request.post(`/api/v1/tasks/${task.id}/steps/reserve/retry`), 409, 'conflict');
  await expectError(await request.post(`/api/v1/tasks/${task.id}/steps/nope/retry`), 404, 'not_found');
  await expectError(await request.post(`/api/v1/tasks/999999999/retry`), 404, 'not_found');
  await expectError(await request.post(`/api/v1/tasks/${task.id}/steps/charge/resolve`, { data: { reason: 'no results' } }), 422, 'invalid_input');
  // A reason is required to resolve or skip: missing, empty or blank is a 422 at /reason.
  for (const data of [{}, { reason: '' }, { reason: '  \t ' }]) {
    const skip = await expectError(await request.post(`/api/v1/tasks/${task.id}/steps/charge/skip`, { data }), 422, 'invalid_input');
    expect(skip.details.map((detail) => detail.path)).toEqual(['/reason']);
    const resolve = await expectError(
      await request.post(`/api/v1/tasks/${task.id}/steps/charge/resolve`, { data: { ...data, results: { charged: true } } }),
      422,
      'invalid_input',
    );
    expect(resolve.details.map((detail) => detail.path)).toEqual(['/reason']);
  }
  await expectError(await request.post(`/api/v1/tasks/${task.id}/retry`, { data: { reason: 7 } }), 422, 'invalid_input');
  await expectError(await request.post(`/api/v1/tasks/${task.id}/retry`, { headers: { 'content-type': 'text/plain' }, data: 'please' }), 415);
  await expectError(
    await request.post(`/api/v1/tasks/${task.id}/retry`, { headers: { 'content-type': 'application/json' }, data: Buffer.from('{reason') }),
    400,
    'malformed',
  );
  await expectError(await request.post(`/api/v1/tasks/${task.id}/retry`, { data: { reason: 'x'.repeat(1024 * 1024) } }), 413);
  expect(await getTask(request, task.id)).toEqual(task);

  const skipped = await request.post(`/api/v1/tasks/${task.id}/steps/charge/skip`, { data: { reason: 'charged by hand' } });
  expect(skipped.status()).toBe(200);
  expect(stepStatus((await skipped.json()) as TaskDetail, 'charge')).toBe('skipped');

  const resolved = await request.post(`/api/v1/tasks/${task.id}/steps/audit/resolve`, {
    data: { results: { audited: 'by hand' }, reason: 'logged manually' },
  });
  expect(resolved.status(), await resolved.text()).toBe(200);
  const after = await waitForStatus(request, task.id, 'complete');
  expect(after.steps.find((step) => step.name === 'audit')).toMatchObject({ status: 'resolved_manually', results: { audited: 'by hand' } });
  await expectError(await request.post(`/api/v1/tasks/${task.id}/retry`), 409, 'conflict');
  await expectError(await request.post(`/api/v1/tasks/${task.id}/cancel`), 409, 'conflict');

  const again = await createFailedTask(request, run, 2);
  const retried = await request.post(`/api/v1/tasks/${again.id}/retry`);
  expect(retried.status()).toBe(200);
  const retriedTask = (await retried.json()) as TaskDetail;
  expect(['ready', 'in_progress', 'error']).toContain(stepStatus(retriedTask, 'charge'));
  await waitForStatus(request, again.id, 'error');
  const stepRetry = await request.post(`/api/v1/tasks/${again.id}/steps/charge/retry`, { data: {} });
  expect(stepRetry.status()).toBe(200);
  const trail = (await (await request.get(`/api/v1/tasks/${again.id}/transitions`)).json()) as TransitionList;
  expect(trail.items.filter((row) => row.actor === 'local' && row.step_name === 'charge').map((row) => row.to_status)).toEqual([
    'pending',
    'ready',
    'ready',
  ]);
});

test('cancels a running task with 202; a second cancel is a 409', async ({ request }) => {
  const task = await createTask(request, 'api_slow', { run: newRun() });
  await expect.poll(async () => stepStatus(await getTask(request, task.id), 'wait'), { timeout: 10_000 }).toBe('in_progress');
  const cancelled = await request.post(`/api/v1/tasks/${task.id}/cancel`, { data: { reason: 'not needed' } });
  expect(cancelled.status()).toBe(202);
  const body = (await cancelled.json()) as TaskDetail;
  expect(body.status).toBe('cancelled');
  expect(body.steps.map((step) => step.status)).toEqual(['complete', 'cancelled', 'cancelled']);
  await expectError(await request.post(`/api/v1/tasks/${task.id}/cancel`), 409, 'conflict');
});

test('edits the context of a task in error, records the diff, and the retried task completes', async ({ request }) => {
  const run = newRun();
  const task = await createTask(request, 'api_fails_once', { email: `typo@${run}.exmaple.com`, run });
  await waitForStatus(request, task.id, 'error');

  const invalid = await expectError(
    await request.patch(`/api/v1/tasks/${task.id}/context`, { data: { context: { email: 'nope', run }, reason: 'fix' } }),
    422,
  );
  expect(invalid.details).toEqual([{ path: '/context/email', message: 'must be an email address' }]);
  await expectError(await request.patch(`/api/v1/tasks/${task.id}/context`, { data: { context: { email: `ok@${run}.example.com` } } }), 422);
  await expectError(await request.patch(`/api/v1/tasks/999999999/context`, { data: { context: {}, reason: 'x' } }), 404);
  expect((await getTask(request, task.id)).status).toBe('error');

  const edited = await request.patch(`/api/v1/tasks/${task.id}/context`, {
    data: { context: { email: `ann@${run}.example.com`, run }, reason: 'customer wrote in' },
  });
  expect(edited.status(), await edited.text()).toBe(200);
  expect(((await edited.json()) as TaskDetail).context).toEqual({ email: `ann@${run}.example.com`, run });
  await waitForStatus(request, task.id, 'complete');
  const trail = (await (await request.get(`/api/v1/tasks/${task.id}/transitions`)).json()) as TransitionList;
  const edit = trail.items.find((row) => row.reason.startsWith('context edited'));
  expect(edit).toMatchObject({ actor: 'local', reason: 'context edited: customer wrote in' });
  expect(edit?.details).toEqual({ context_changes: [{ path: '/email', before: `typo@${run}.exmaple.com`, after: `ann@${run}.example.com` }] });

  await expectError(
    await request.patch(`/api/v1/tasks/${task.id}/context`, { data: { context: { email: `x@${run}.example.com` }, reason: 'late' } }),
    409,
    'conflict',
  );
});

test('groups failures, and retries a group in bulk: a dry run first, then for real', async ({ request }) => {
  const run = newRun();
  const tasks = [await createFailedTask(request, run, 10), await createFailedTask(request, run, 11), await createFailedTask(request, run, 12)];
  const failures = (await (
    await request.get('/api/v1/failures', { params: { namespace: NAMESPACE, name: 'api_always_fails' } })
  ).json()) as FailureList;
  const charge = failures.groups.find((group) => group.step === 'charge' && group.step_status === 'error');
  expect(charge).toMatchObject({
    signature: 'test_permanent | card declined for order <n>',
    error_code: 'test_permanent',
    message: 'card declined for order <n>',
  });
  expect(charge!.count).toBeGreaterThanOrEqual(3);
  expect(charge!.partial_state).toEqual(
    expect.arrayContaining([expect.objectContaining({ step: 'reserve', status_counts: expect.objectContaining({ complete: expect.any(Number) }) })]),
  );
  await expectError(await request.get('/api/v1/failures', { params: { stuck_after_minutes: 0 } }), 422);

  // This test's tasks only: the group's filter narrowed by the run marker.
  const filter = { ...charge!.filter, q: run };
  const dryRun = await request.post('/api/v1/tasks/bulk/retry', { data: { filter, dry_run: true } });
  expect(dryRun.status()).toBe(200);
  const preview = (await dryRun.json()) as BulkRetryResult;
  expect(preview).toMatchObject({ dry_run: true, tasks: 3, steps: [{ name: 'charge', count: 3 }], truncated: false, limit: 10_000 });
  expect(preview.task_ids?.sort()).toEqual(tasks.map((task) => task.id).sort());
  for (const task of tasks) {
    expect(stepStatus(await getTask(request, task.id), 'charge')).toBe('error');
  }

  const real = (await (await request.post('/api/v1/tasks/bulk/retry', { data: { filter, reason: 'processor back' } })).json()) as BulkRetryResult;
  expect(real).toMatchObject({ dry_run: false, tasks: 3, steps: [{ name: 'charge', count: 3 }], skipped: 0 });
  for (const task of tasks) {
    await waitForStatus(request, task.id, 'error');
    const trail = (await (await request.get(`/api/v1/tasks/${task.id}/transitions`)).json()) as TransitionList;
    expect(trail.items.some((row) => row.step_name === 'charge' && row.to_status === 'ready' && row.reason === 'processor back')).toBe(true);
    expect(stepStatus(await getTask(request, task.id), 'audit')).toBe('error');
  }

  const byIds = (await (await request.post('/api/v1/tasks/bulk/retry', { data: { ids: [tasks[0]!.id], dry_run: true } })).json()) as BulkRetryResult;
  expect(byIds).toMatchObject({
    tasks: 1,
    steps: [
      { name: 'audit', count: 1 },
      { name: 'charge', count: 1 },
    ],
  });
  await expectError(await request.post('/api/v1/tasks/bulk/retry', { data: { ids: [tasks[0]!.id], filter: {}, dry_run: true } }), 422);
  await expectError(await request.post('/api/v1/tasks/bulk/retry', { data: { dry_run: true } }), 422);
  await expectError(await request.post('/api/v1/tasks/bulk/retry', { data: { filter: { status: 'sideways' } } }), 422);
  await expectError(await request.post('/api/v1/tasks/bulk/retry', { data: { ids: ['x'] } }), 422);
  await expectError(
    await request.post('/api/v1/tasks/bulk/retry', { headers: { 'content-type': 'application/json' }, data: Buffer.from('{"filter": {') }),
    400,
  );
  await expectError(await request.post('/api/v1/tasks/bulk/retry', { headers: { 'content-type': 'application/xml' }, data: '<filter/>' }), 415);
  await expectError(await request.post('/api/v1/tasks/bulk/retry', { data: { filter: { q: run }, reason: 'r'.repeat(1024 * 1024) } }), 413);
});
