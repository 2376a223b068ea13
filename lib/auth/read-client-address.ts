import net from 'node:net';
import { readVerifiedPeer } from './peer-guard';

/** Where a reverse proxy in front of the server would be: this machine, or a private network. */
const PROXY_NETWORKS = new net.BlockList();
PROXY_NETWORKS.addSubnet('127.0.0.0', 8, 'ipv4');
PROXY_NETWORKS.addSubnet('10.0.0.0', 8, 'ipv4');
PROXY_NETWORKS.addSubnet('172.16.0.0', 12, 'ipv4');
PROXY_NETWORKS.addSubnet('192.168.0.0', 16, 'ipv4');
PROXY_NETWORKS.addSubnet('169.254.0.0', 16, 'ipv4');
PROXY_NETWORKS.addAddress('::1', 'ipv6');
PROXY_NETWORKS.addSubnet('fc00::', 7, 'ipv6');
PROXY_NETWORKS.addSubnet('fe80::', 10, 'ipv6');

/**
 * The best address a route handler has for the caller, for limiting failed token checks. A route handler
 * sees no socket, so:
 * - `peer` is the socket's address as the peer guard vouches for it (lib/auth/peer-guard.ts; no client
 *   can write it). A caller from a public address is keyed by it, whatever it says in X-Forwarded-For.
 * - A peer on this machine or a private network is most likely a reverse proxy: the caller is then the
 *   last X-Forwarded-For entry, the one that proxy appended (nginx's `$proxy_add_x_forwarded_for`, most
 *   load balancers; earlier entries are the client's word). Next.js writes the socket's address there
 *   when the request came without the header.
 * - Without a vouched-for peer (no guard: route tests, a server that skipped instrumentation), the last
 *   X-Forwarded-For entry, else 'unknown'.
 * Whoever can reach the server from a proxy's network can choose their key this way; that is why the
 * limiter also has a global ceiling, which made-up addresses do not get round.
 */
export function readClientAddress(request: Request, peer: string | undefined = readVerifiedPeer(request.headers)): string {
  const forwarded = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  if (peer === undefined || peer === '') {
    return forwarded ? normalizeAddress(forwarded) : 'unknown';
  }
  const address = normalizeAddress(peer);
  return forwarded && isProxyNetwork(address) ? normalizeAddress(forwarded) : address;
}

function normalizeAddress(address: string): string {
  return address.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

function isProxyNetwork(address: string): boolean {
  const family = net.isIP(address);
  return family !== 0 && PROXY_NETWORKS.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
