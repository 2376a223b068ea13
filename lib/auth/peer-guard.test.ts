import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterEach, expect, it } from 'vitest';
import { ensurePeerGuard, PEER_HEADER, readVerifiedPeer, type PeerGuard } from './peer-guard';

/**
 * The guard against real sockets: a plain node:http server on every address, called over loopback and
 * over this machine's own network address (which the server sees as a caller from another machine).
 */
const networkAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;

let guard: PeerGuard | undefined;
let server: http.Server | undefined;

afterEach(async () => {
  guard?.uninstall();
  guard = undefined;
  if (server) {
    const closing = server;
    server = undefined;
    closing.closeAllConnections();
    await new Promise((resolve) => closing.close(resolve));
  }
});

/** A server that answers with the caller's address as the guard vouches for it. */
async function startServer(): Promise<number> {
  server = http.createServer((request, response) => {
    response.end(JSON.stringify({ peer: readVerifiedPeer(new Headers(request.headers as Record<string, string>)) ?? null }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '0.0.0.0', resolve));
  return (server.address() as AddressInfo).port;
}

function get(host: string, port: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path: '/', headers, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

it('stamps each request with the socket’s own address, in place of whatever the client sent', async () => {
  guard = ensurePeerGuard({ refuseNonLoopback: true });
  const port = await startServer();
  expect(JSON.parse((await get('127.0.0.1', port, { [PEER_HEADER]: 'forged 127.0.0.1', 'X-Forwarded-For': '127.0.0.1' })).body)).toEqual({
    peer: '127.0.0.1',
  });
  expect(readVerifiedPeer(new Headers({ [PEER_HEADER]: 'forged 127.0.0.1' }))).toBeUndefined();
  expect(readVerifiedPeer(new Headers())).toBeUndefined();
});

it.skipIf(networkAddress === undefined)('in local mode refuses a connection from another machine, in the server itself', async () => {
  guard = ensurePeerGuard({ refuseNonLoopback: true });
  const port = await startServer();
  await expect(get(networkAddress!, port)).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) as string });
  expect((await get('127.0.0.1', port)).status).toBe(200);
});

it.skipIf(networkAddress === undefined)('with ADMIN_TOKEN serves other machines and tells the route their address', async () => {
  guard = ensurePeerGuard({ refuseNonLoopback: false });
  const port = await startServer();
  expect(JSON.parse((await get(networkAddress!, port, { 'X-Forwarded-For': '127.0.0.1' })).body)).toEqual({ peer: networkAddress });
});

it('is installed once per process; a second call changes only whether other machines are refused', () => {
  guard = ensurePeerGuard({ refuseNonLoopback: true });
  expect(ensurePeerGuard({ refuseNonLoopback: false })).toBe(guard);
  expect(guard.refuseNonLoopback).toBe(false);
});
