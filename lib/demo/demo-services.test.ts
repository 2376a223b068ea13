import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoServices, type DemoServices } from './demo-services';

let demo: DemoServices;

type Answer = { status: number; body: unknown; headers: Headers };

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Answer> {
  const response = await fetch(`${demo.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: response.headers };
}

function setMode(service: string, settings: Record<string, unknown>): Promise<Answer> {
  return send('POST', `/_control/${service}`, settings);
}

const newUser = { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'pro', source: 'web' };

beforeAll(async () => {
  demo = await startDemoServices({ port: 0 });
});

afterAll(async () => {
  await demo.close();
});

beforeEach(async () => {
  await send('POST', '/_control/reset');
});

describe('demo services', () => {
  it('listens on the port it reports', () => {
    expect(demo.port).toBeGreaterThan(0);
    expect(demo.url).toBe(`http://127.0.0.1:${demo.port}`);
  });

  it('answers health checks per service without counting them as calls', async () => {
    for (const service of ['user', 'billing', 'preferences', 'notification']) {
      expect(await send('GET', `/${service}/health`)).toMatchObject({ status: 200, body: { status: 'ok', service } });
    }
    await setMode('billing', { mode: 'down' });
    expect((await send('GET', '/billing/health')).status).toBe(503);
    expect((await send('GET', '/_control')).body).toMatchObject({ services: { user: { calls: 0 }, billing: { calls: 0 } } });
  });

  it('lists each call with when it came and how it was answered (GET /_control/{service}/calls), health checks left out', async () => {
    const before = Date.now();
    await send('GET', '/billing/health');
    await send('POST', '/billing/profiles', {}, { 'Idempotency-Key': 'calls-1' });
    await setMode('billing', { mode: 'down' });
    await send('GET', '/billing/plans/pro');
    const { status, body } = await send('GET', '/_control/billing/calls');
    expect(status).toBe(200);
    const { calls } = body as { calls: { at: string; method: string; path: string; status: number }[] };
    expect(calls.map(({ method, path, status: answered }) => ({ method, path, status: answered }))).toEqual([
      { method: 'POST', path: '/profiles', status: 422 },
      { method: 'GET', path: '/plans/pro', status: 503 },
    ]);
    expect(Date.parse(calls[0]!.at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(calls[1]!.at)).toBeGreaterThanOrEqual(Date.parse(calls[0]!.at));
    expect((await send('GET', '/_control/user/calls')).body).toEqual({ calls: [] });
    expect((await send('POST', '/_control/billing/calls', {})).status).toBe(405);
    expect((await send('GET', '/_control/nope/calls')).status).toBe(404);
    await send('POST', '/_control/reset');
    expect((await send('GET', '/_control/billing/calls')).body).toEqual({ calls: [] });
  });

  it('creates, reads and activates a user', async () => {
    const created = await send('POST', '/user/users', newUser, { 'Idempotency-Key': 'k1', 'X-Correlation-ID': 'c1' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-correlation-id')).toBe('c1');
    const user = created.body as { id: string };
    expect(user).toMatchObject({ id: expect.stringMatching(/^usr_/) as string, email: 'ada@example.com', plan: 'pro', status: 'pending' });

    expect(await send('GET', `/user/users/${user.id}`)).toMatchObject({ status: 200, body: { id: user.id } });
    const updated = await send('PATCH', `/user/users/${user.id}`, { status: 'active', registration_summary: { billing_profile_id: 'b1' } });
    expect(updated).toMatchObject({ status: 200, body: { id: user.id, status: 'active', registration_summary: { billing_profile_id: 'b1' } } });
    expect((await send('PATCH', '/user/users/usr_missing', { status: 'active' })).status).toBe(404);
    expect((await send('PATCH', `/user/users/${user.id}`, { status: 'gone', email: 'x@y.z' })).body).toMatchObject({
      error: { code: 'validation_failed', details: [{ path: '/email' }, { path: '/status' }] },
    });
  });

  it('replays the first answer for a repeated Idempotency-Key and creates one record', async () => {
    const first = await send('POST', '/user/users', newUser, { 'Idempotency-Key': 'same' });
    const second = await send('POST', '/user/users', { ...newUser, name: 'Changed' }, { 'Idempotency-Key': 'same' });
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(demo.state.services.user.records.size).toBe(1);
    await send('PATCH', `/user/users/${(first.body as { id: string }).id}`, { status: 'active' });
    expect((await send('POST', '/user/users', newUser, { 'Idempotency-Key': 'same' })).body).toMatchObject({ status: 'pending' });

    const otherKey = await send('POST', '/user/users', { ...newUser, email: 'ADA@example.com' }, { 'Idempotency-Key': 'other' });
    expect(otherKey.status).toBe(409);
    expect(otherKey.body).toMatchObject({ error: { code: 'already_exists' }, existing: { id: (first.body as { id: string }).id } });
    expect((await send('GET', '/_control')).body).toMatchObject({ services: { user: { records: 1, calls: 5 } } });
  });

  it('keys replays per service', async () => {
    const user = (await send('POST', '/user/users', newUser, { 'Idempotency-Key': 'shared' })).body as { id: string };
    const profile = await send('POST', '/billing/profiles', { user_id: user.id, plan: 'free' }, { 'Idempotency-Key': 'shared' });
    expect(profile.status).toBe(201);
    expect(profile.body).toMatchObject({ user_id: user.id, plan: 'free', payment_method: 'none', monthly_price_cents: 0 });
  });

  it('validates request bodies with every problem and its path', async () => {
    expect(await send('POST', '/user/users', { name: '', plan: 'gold' })).toMatchObject({
      status: 422,
      body: {
        error: {
          code: 'validation_failed',
          details: [
            { path: '/email', message: 'is required' },
            { path: '/name', message: 'must be a non-empty string' },
            { path: '/plan', message: 'must be one of free, pro, enterprise' },
          ],
        },
      },
    });
    expect((await send('POST', '/user/users', { email: 'not-an-email', name: 'x' })).body).toMatchObject({
      error: { details: [{ path: '/email', message: 'must be an email address' }] },
    });
    expect((await send('POST', '/billing/profiles', { user_id: 'u1', plan: 'pro' })).body).toMatchObject({
      error: { details: [{ path: '/payment_method', message: 'is required for the pro plan' }] },
    });
    expect((await send('POST', '/preferences/preferences', { user_id: 'u1', marketing_emails: 'yes' })).status).toBe(422);
    expect((await send('POST', '/notification/welcome-sequences', { user_id: 'u1', plan: 'free' })).status).toBe(422);
    expect((await send('POST', '/user/users', '{not json')).status).toBe(400);
    expect(demo.state.services.user.records.size).toBe(0);
  });

  it('removes a record on DELETE (204, and 204 again with nothing changed); records counts what is left', async () => {
    const user = (await send('POST', '/user/users', { email: 'gone@example.com', name: 'Gone' })).body as { id: string };
    const profile = (await send('POST', '/billing/profiles', { user_id: user.id, plan: 'free' })).body as { id: string };
    const preferences = (await send('POST', '/preferences/preferences', { user_id: user.id })).body as { id: string };
    const sequence = (await send('POST', '/notification/welcome-sequences', { user_id: user.id, email: 'gone@example.com', plan: 'free' })).body as {
      id: string;
    };
    const paths = [
      `/user/users/${user.id}`,
      `/billing/profiles/${profile.id}`,
      `/preferences/preferences/${preferences.id}`,
      `/notification/welcome-sequences/${sequence.id}`,
    ];
    for (const path of paths) {
      expect(await send('DELETE', path)).toMatchObject({ status: 204, body: undefined });
      expect(await send('DELETE', path)).toMatchObject({ status: 204, body: undefined });
      expect((await send('GET', path)).status).toBe(404);
    }
    expect((await send('GET', '/_control')).body).toMatchObject({
      services: { user: { records: 0 }, billing: { records: 0 }, preferences: { records: 0 }, notification: { records: 0 } },
    });
    // Once the user is gone, the same e-mail address can sign up again.
    expect((await send('POST', '/user/users', { email: 'gone@example.com', name: 'Back' })).status).toBe(201);
  });

  it('schedules a new welcome sequence for each new Idempotency-Key, and replays a repeated one', async () => {
    const body = { user_id: 'u9', email: 'again@example.com', plan: 'free' };
    const first = await send('POST', '/notification/welcome-sequences', body, { 'Idempotency-Key': 'k1' });
    const repeat = await send('POST', '/notification/welcome-sequences', body, { 'Idempotency-Key': 'k1' });
    const resend = await send('POST', '/notification/welcome-sequences', body, { 'Idempotency-Key': 'k2' });
    expect([first.status, repeat.status, resend.status]).toEqual([201, 201, 201]);
    expect(repeat.body).toEqual(first.body);
    expect((resend.body as { id: string }).id).not.toBe((first.body as { id: string }).id);
    expect(demo.state.services.notification.records.size).toBe(2);
  });

  it('answers 404 for unknown routes and services and 405 for a wrong method', async () => {
    expect((await send('GET', '/user/nothing')).status).toBe(404);
    expect((await send('GET', '/payments/health')).status).toBe(404);
    expect((await send('DELETE', '/user/users')).status).toBe(405);
  });

  it('stores billing profiles, preferences and welcome sequences once per user', async () => {
    const profile = await send('POST', '/billing/profiles', {
      user_id: 'u1',
      plan: 'enterprise',
      payment_method: 'card',
      billing_address: { street: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' },
    });
    expect(profile).toMatchObject({ status: 201, body: { plan: 'enterprise', payment_method: 'card', billing_address: { city: 'Springfield' } } });
    expect((await send('POST', '/billing/profiles', { user_id: 'u1', plan: 'free' })).status).toBe(409);

    const preferences = await send('POST', '/preferences/preferences', { user_id: 'u1', marketing_emails: true, timezone: 'UTC' });
    expect(preferences).toMatchObject({
      status: 201,
      body: { user_id: 'u1', email_notifications: true, marketing_emails: true, product_updates: true, timezone: 'UTC' },
    });
    expect((await send('GET', `/preferences/preferences/${(preferences.body as { id: string }).id}`)).status).toBe(200);
    expect(await send('GET', '/preferences/defaults?plan=pro')).toMatchObject({ status: 200, body: { plan: 'pro', product_updates: true } });
    expect(await send('GET', '/billing/plans/pro')).toMatchObject({ status: 200, body: { plan: 'pro', monthly_price_cents: 2900 } });

    for (const [plan, count, intro] of [
      ['free', 3, false],
      ['pro', 5, false],
      ['enterprise', 7, true],
    ] as const) {
      const sequence = await send('POST', '/notification/welcome-sequences', { user_id: `user-${plan}`, email: 'a@b.co', plan });
      expect(sequence).toMatchObject({ status: 201, body: { emails_scheduled: count, account_manager_intro: intro, status: 'scheduled' } });
    }
    expect((await send('GET', '/_control')).body).toMatchObject({
      services: { billing: { records: 1 }, preferences: { records: 1 }, notification: { records: 3 } },
    });
  });

  describe('modes', () => {
    it('down answers 503 and creates nothing', async () => {
      expect(await setMode('user', { mode: 'down' })).toMatchObject({ status: 200, body: { service: 'user', mode: 'down' } });
      expect(await send('POST', '/user/users', newUser)).toMatchObject({ status: 503, body: { error: { code: 'service_unavailable' } } });
      expect((await send('GET', '/_control')).body).toMatchObject({ services: { user: { mode: 'down', calls: 1, records: 0 } } });
    });

    it('rate_limited answers 429 with Retry-After', async () => {
      await setMode('notification', { mode: 'rate_limited' });
      const limited = await send('POST', '/notification/welcome-sequences', { user_id: 'u1', email: 'a@b.co', plan: 'free' });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('2');
      await setMode('notification', { mode: 'rate_limited', retry_after_seconds: 9 });
      expect((await send('GET', '/notification/welcome-sequences/x')).headers.get('retry-after')).toBe('9');
      expect(demo.state.services.notification.records.size).toBe(0);
    });

    it('reject answers 422, a permanent error', async () => {
      await setMode('billing', { mode: 'reject' });
      expect(await send('POST', '/billing/profiles', { user_id: 'u1', plan: 'free' })).toMatchObject({
        status: 422,
        body: { error: { code: 'rejected' } },
      });
      expect(demo.state.services.billing.records.size).toBe(0);
    });

    it('flaky fails the given share of calls with 500 before doing any work, repeatably with a seed', async () => {
      await setMode('preferences', { mode: 'flaky', failure_rate: 1 });
      expect((await send('POST', '/preferences/preferences', { user_id: 'u1' })).status).toBe(500);
      expect(demo.state.services.preferences.records.size).toBe(0);

      const outcomes = async () => {
        await setMode('preferences', { mode: 'flaky', failure_rate: 0.5, seed: 42 });
        const statuses: number[] = [];
        for (let i = 0; i < 20; i += 1) {
          statuses.push((await send('GET', '/preferences/defaults')).status);
        }
        return statuses;
      };
      const first = await outcomes();
      expect(first).toContain(500);
      expect(first).toContain(200);
      expect(await outcomes()).toEqual(first);

      await setMode('preferences', { mode: 'flaky', failure_rate: 0 });
      expect((await send('POST', '/preferences/preferences', { user_id: 'u1' })).status).toBe(201);
    });

    it('slow does the work first and answers after latency_ms', async () => {
      await setMode('billing', { mode: 'slow', latency_ms: 400 });
      const startedAt = Date.now();
      const pending = send('POST', '/billing/profiles', { user_id: 'u1', plan: 'free' }, { 'Idempotency-Key': 'slow-1' });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(demo.state.services.billing.records.size).toBe(1);
      expect((await pending).status).toBe(201);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(390);
    });

    it('slow lets a caller give up after the work was done, and a retry with the same key gets the first answer', async () => {
      await setMode('billing', { mode: 'slow', latency_ms: 2000 });
      const headers = { 'Idempotency-Key': 'timed-out' };
      await expect(send('POST', '/billing/profiles', { user_id: 'u1', plan: 'free' }, headers, AbortSignal.timeout(200))).rejects.toThrow();
      expect(demo.state.services.billing.records.size).toBe(1);
      await setMode('billing', { mode: 'up' });
      const retried = await send('POST', '/billing/profiles', { user_id: 'u1', plan: 'free' }, headers);
      expect(retried.status).toBe(201);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      expect(demo.state.services.billing.records.size).toBe(1);
    });

    it('latency_ms adds latency in other modes too', async () => {
      await setMode('user', { mode: 'up', latency_ms: 250 });
      const startedAt = Date.now();
      expect((await send('GET', '/user/users/x')).status).toBe(404);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(240);
      expect((await setMode('user', { mode: 'up' })).body).toMatchObject({ latency_ms: 0 });
    });
  });

  describe('control', () => {
    it('reports every service', async () => {
      expect((await send('GET', '/_control')).body).toEqual({
        services: Object.fromEntries(
          ['user', 'billing', 'preferences', 'notification'].map((name) => [
            name,
            { mode: 'up', calls: 0, records: 0, latency_ms: 0, failure_rate: 0.2, retry_after_seconds: 2 },
          ]),
        ),
      });
    });

    it('refuses an unknown service and invalid settings with the error shape', async () => {
      expect(await setMode('payments', { mode: 'down' })).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      const invalid = await setMode('user', { mode: 'sideways', failure_rate: 2, extra: 1 });
      expect(invalid.status).toBe(422);
      expect(invalid.body).toEqual({
        error: {
          code: 'invalid_input',
          message: expect.any(String) as string,
          details: [
            { path: '/extra', message: 'is not an allowed field' },
            { path: '/mode', message: 'must be one of up, down, slow, flaky, rate_limited, reject' },
            { path: '/failure_rate', message: 'must be at most 1' },
          ],
        },
      });
      expect((await setMode('user', {})).status).toBe(422);
      expect((await send('POST', '/_control/user', 'nope')).status).toBe(400);
      expect(demo.state.services.user.mode).toBe('up');
    });

    it('reset brings every service up and clears records, counters and stored answers', async () => {
      await send('POST', '/user/users', newUser, { 'Idempotency-Key': 'k' });
      await setMode('billing', { mode: 'down' });
      const reset = await send('POST', '/_control/reset');
      expect(reset.status).toBe(200);
      expect(reset.body).toMatchObject({ services: { user: { records: 0, calls: 0 }, billing: { mode: 'up' } } });
      const again = await send('POST', '/user/users', newUser, { 'Idempotency-Key': 'k' });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
    });
  });

  it('closes promptly while a slow answer is pending', async () => {
    const other = await startDemoServices({ port: 0 });
    other.state.configure('user', { mode: 'slow', latency_ms: 10_000 });
    const pending = fetch(`${other.url}/user/users/x`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const startedAt = Date.now();
    await other.close();
    expect(Date.now() - startedAt).toBeLessThan(1000);
    await pending;
  });
});
