import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePeerGuard, type PeerGuard } from './peer-guard';
import { readClientAddress } from './read-client-address';

const from = (forwardedFor?: string) =>
  new Request('http://127.0.0.1:3000/api/v1/tasks', { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } });

describe('readClientAddress', () => {
  it('keys a caller from a public address by its socket, whatever it says in X-Forwarded-For', () => {
    expect(readClientAddress(from('198.51.100.4'), '203.0.113.9')).toBe('203.0.113.9');
    expect(readClientAddress(from(), '203.0.113.9')).toBe('203.0.113.9');
    expect(readClientAddress(from('10.0.0.1'), '::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(readClientAddress(from('10.0.0.1'), '2001:DB8::1')).toBe('2001:db8::1');
  });

  it('behind a proxy on this machine or a private network, takes the last X-Forwarded-For entry: the one the proxy appended', () => {
    for (const proxy of ['127.0.0.1', '::ffff:127.0.0.1', '::1', '10.1.2.3', '172.20.0.5', '192.168.1.9', 'fd00::5']) {
      expect(readClientAddress(from('made-up, 198.51.100.4'), proxy), proxy).toBe('198.51.100.4');
      expect(readClientAddress(from(), proxy), proxy).toBe(proxy.replace('::ffff:', ''));
    }
  });

  it('without a vouched-for peer takes the last X-Forwarded-For entry, else unknown', () => {
    expect(readClientAddress(from('made-up, 198.51.100.4 '))).toBe('198.51.100.4');
    expect(readClientAddress(from('::ffff:127.0.0.1'))).toBe('127.0.0.1');
    expect(readClientAddress(from())).toBe('unknown');
    expect(readClientAddress(from(' , '))).toBe('unknown');
  });

  describe('with the peer guard on a real socket', () => {
    let guard: PeerGuard | undefined;
    let server: http.Server | undefined;
    afterEach(async () => {
      guard?.uninstall();
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server!.close(resolve));
      }
    });

    it('reads the socket address the guard stamped, not a forged stamp', async () => {
      guard = ensurePeerGuard({ refuseNonLoopback: false });
      server = http.createServer((request, response) => {
        response.end(readClientAddress(new Request('http://127.0.0.1/', { headers: request.headers as Record<string, string> })));
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const get = async (headers: Record<string, string>) => (await fetch(`http://127.0.0.1:${port}/`, { headers })).text();
      expect(await get({})).toBe('127.0.0.1');
      expect(await get({ 'x-forwarded-for': '198.51.100.7', 'x-switchyard-peer': 'forged 203.0.113.1' })).toBe('198.51.100.7');
    });
  });
});
