import http from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import { findTokenPrincipal } from '../auth/authenticate-request';
import { createApiToken } from '../auth/create-api-token';
import { revokeApiToken } from '../auth/revoke-api-token';
import { startDemoServices, type DemoServices } from './demo-services';

/**
 * The demo services' control plane (`/_control`) takes every service down and wipes every record, so
 * with ADMIN_TOKEN set it takes the API's operator and admin tokens (looked up in the real database,
 * as lib/runtime/host.ts wires it), and in every mode only JSON, the same-origin rule and, in
 * local mode, loopback host names.
 */
const ADMIN_TOKEN = 'demo-control-admin-token-0123456789abcdef';
const user = { email: 'ada@example.com', name: 'Ada Lovelace' };

let demo: DemoServices | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

async function send(
  path: string,
  { method = 'POST', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const response = await fetch(`${demo!.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as { error?: { code: string; message: string } }) : undefined };
}

const json = { 'Content-Type': 'application/json' };

/** fetch() writes its own Host header; a DNS-rebinding page's request carries another name. */
function sendWithHost(path: string, host: string, { method = 'POST', body }: { method?: string; body?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${demo!.url}${path}`, { method, headers: { ...json, Host: host } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describeEachDatabase('demo services control', (suite) => {
  async function startLocked() {
    const { db } = suite.database;
    demo = await startDemoServices({ port: 0, findControlPrincipal: (token) => findTokenPrincipal(db, token, ADMIN_TOKEN) });
    demo.state.configure('billing', { mode: 'down' });
    await fetch(`${demo.url}/user/users`, { method: 'POST', headers: json, body: JSON.stringify(user) });
  }

  /** Nothing changed: billing still down, the user still there. */
  function expectUntouched() {
    expect(demo!.state.services.billing.mode).toBe('down');
    expect(demo!.state.services.user.records.size).toBe(1);
  }

  it('with ADMIN_TOKEN set refuses control without a token, with an unknown or revoked one, and with a viewer’s', async () => {
    await startLocked();
    const viewer = await createApiToken(suite.database.db, { name: 'night-viewer', role: 'viewer', actor: 'admin' });
    const revoked = await createApiToken(suite.database.db, { name: 'gone', role: 'operator', actor: 'admin' });
    await revokeApiToken(suite.database.db, Number(revoked.token.id));

    for (const path of ['/_control/reset', '/_control/billing']) {
      const body = path.endsWith('reset') ? '{}' : JSON.stringify({ mode: 'up' });
      expect(await send(path, { headers: json, body }), path).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
      for (const token of ['not-a-token', revoked.secret]) {
        expect(await send(path, { headers: { ...json, Authorization: `Bearer ${token}` }, body })).toMatchObject({ status: 401 });
      }
      const asViewer = await send(path, { headers: { ...json, Authorization: `Bearer ${viewer.secret}` }, body });
      expect(asViewer).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      expect(asViewer.body?.error?.message).toMatch(/needs the operator role; token 'night-viewer' has viewer/);
    }
    expect((await send('/_control', { method: 'GET' })).status).toBe(401);
    expectUntouched();
  });

  it('with ADMIN_TOKEN set obeys ADMIN_TOKEN and operator or admin tokens, in JSON only', async () => {
    await startLocked();
    const operator = await createApiToken(suite.database.db, { name: 'night-operator', role: 'operator', actor: 'admin' });
    const admin = await createApiToken(suite.database.db, { name: 'night-admin', role: 'admin', actor: 'admin' });

    for (const contentType of [
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
    ]) {
      const headers: Record<string, string> = { Authorization: `Bearer ${operator.secret}`, ...(contentType ? { 'Content-Type': contentType } : {}) };
      expect(await send('/_control/reset', { headers, body: '{}' }), String(contentType)).toMatchObject({
        status: 415,
        body: { error: { code: 'unsupported_media_type' } },
      });
      expect((await send('/_control/billing', { headers, body: '{"mode":"up"}' })).status).toBe(415);
    }
    expectUntouched();

    expect(
      (await send('/_control/billing', { headers: { ...json, Authorization: `Bearer ${operator.secret}` }, body: '{"mode":"up"}' })).status,
    ).toBe(200);
    expect(demo!.state.services.billing.mode).toBe('up');
    expect((await send('/_control', { method: 'GET', headers: { Authorization: `Bearer ${admin.secret}` } })).status).toBe(200);
    expect(
      (
        await send('/_control/reset', {
          headers: { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${ADMIN_TOKEN}` },
          body: '{}',
        })
      ).status,
    ).toBe(200);
    expect(demo!.state.services.user.records.size).toBe(0);
  });

  it('refuses a change sent by another site’s page even with a good token', async () => {
    await startLocked();
    const headers = { ...json, Authorization: `Bearer ${ADMIN_TOKEN}` };
    const sentFromElsewhere: Record<string, string>[] = [
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'http://evil.example' },
    ];
    for (const sent of sentFromElsewhere) {
      expect(await send('/_control/reset', { headers: { ...headers, ...sent }, body: '{}' })).toMatchObject({
        status: 403,
        body: { error: { code: 'forbidden' } },
      });
    }
    expectUntouched();
  });
});

it('in local mode needs no token, but JSON, a loopback host name and no other site’s page', async () => {
  demo = await startDemoServices({ port: 0 });
  demo.state.configure('billing', { mode: 'down' });
  expect((await send('/_control/reset', { headers: { 'Content-Type': 'text/plain' }, body: '{}' })).status).toBe(415);
  expect((await send('/_control/reset')).status).toBe(415);
  expect((await send('/_control/reset', { headers: { ...json, 'Sec-Fetch-Site': 'same-site' }, body: '{}' })).status).toBe(403);
  expect(await sendWithHost('/_control/reset', `rebound.example:${demo.port}`, { body: '{}' })).toBe(403);
  expect(demo.state.services.billing.mode).toBe('down');
  for (const host of [`127.0.0.1:${demo.port}`, `localhost:${demo.port}`, '[::1]']) {
    expect(await sendWithHost('/_control', host, { method: 'GET' }), host).toBe(200);
  }
  expect((await send('/_control/reset', { headers: json, body: '{}' })).status).toBe(200);
  expect(demo.state.services.billing.mode).toBe('up');
});
