import { expect, test } from '@playwright/test';
import type { ApiTokenList, CreatedApiToken, ServiceInfo, ServiceList } from '../../lib/api/types';
import { expectError } from './http-api';

test.afterEach(async ({ request }) => {
  await request.post('/api/v1/services/reset');
});

test('lists the services with their circuits and demo behaviour, and changes a demo service mode', async ({ request }) => {
  const list = (await (await request.get('/api/v1/services')).json()) as ServiceList;
  expect(list.services.map((service) => service.name)).toEqual(['user', 'billing', 'preferences', 'notification']);
  for (const service of list.services) {
    expect(service).toMatchObject({ demo: true, circuit: expect.objectContaining({ state: expect.stringMatching(/^(closed|open|half_open)$/) }) });
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\w+$/);
  }

  const slow = await request.post('/api/v1/services/billing/mode', { data: { mode: 'slow', latency_ms: 1500 } });
  expect(slow.status(), await slow.text()).toBe(200);
  expect((await slow.json()) as ServiceInfo).toMatchObject({ name: 'billing', mode: 'slow', latency_ms: 1500 });
  await expectError(await request.post('/api/v1/services/nope/mode', { data: { mode: 'down' } }), 404, 'not_found');
  const bad = await expectError(await request.post('/api/v1/services/billing/mode', { data: { mode: 'sideways', failure_rate: 2 } }), 422);
  expect(bad.details.map((detail) => detail.path).sort()).toEqual(['/failure_rate', '/mode']);
  await expectError(await request.post('/api/v1/services/billing/mode', { headers: { 'content-type': 'text/plain' }, data: 'down' }), 415);
  await expectError(
    await request.post('/api/v1/services/billing/mode', { headers: { 'content-type': 'application/json' }, data: Buffer.from('{') }),
    400,
  );

  const reset = await request.post('/api/v1/services/reset', { data: {} });
  expect(reset.status()).toBe(200);
  expect(((await reset.json()) as ServiceList).services.every((service) => service.mode === 'up')).toBe(true);
  await expectError(await request.post('/api/v1/services/reset', { data: { all: true } }), 422);
});

test('creates a token with its secret shown once, lists tokens without secrets, and revokes one', async ({ request }) => {
  const name = `ci-${Date.now()}`;
  const created = await request.post('/api/v1/tokens', { data: { name, role: 'operator' } });
  expect(created.status()).toBe(201);
  const { token, secret } = (await created.json()) as CreatedApiToken;
  expect(secret).toMatch(/^syt_/);
  expect(token).toMatchObject({ name, role: 'operator', active: true, created_by: 'local', revoked_at: null });

  const listText = await (await request.get('/api/v1/tokens')).text();
  expect(listText).not.toContain(secret);
  expect((JSON.parse(listText) as ApiTokenList).items.find((item) => item.id === token.id)?.name).toBe(name);

  await expectError(await request.post('/api/v1/tokens', { data: { name, role: 'viewer' } }), 409, 'conflict');
  await expectError(await request.post('/api/v1/tokens', { data: { name: 'local', role: 'viewer' } }), 422);
  await expectError(await request.post('/api/v1/tokens', { data: { name: 'bad name!', role: 'root' } }), 422);

  const revoked = await request.delete(`/api/v1/tokens/${token.id}`);
  expect(revoked.status()).toBe(200);
  expect(await revoked.json()).toMatchObject({ id: token.id, active: false });
  await expectError(await request.delete(`/api/v1/tokens/${token.id}`), 409, 'conflict');
  await expectError(await request.delete('/api/v1/tokens/999999999'), 404, 'not_found');
  await expectError(await request.delete('/api/v1/tokens/abc'), 404, 'not_found');
});
