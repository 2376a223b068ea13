import { randomBytes, timingSafeEqual } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { isLoopbackAddress } from './loopback';

/** The request header that carries the caller's address as this process's socket saw it. */
export const PEER_HEADER = 'x-switchyard-peer';

export type PeerGuard = { refuseNonLoopback: boolean; uninstall(): void };
type InstalledGuard = PeerGuard & { stamp: string };

const GUARD_KEY = Symbol.for('switchyard.peerGuard');
type GuardHolder = { [GUARD_KEY]?: InstalledGuard };

type SocketMessage = { socket: Socket };
type RequestMessage = { request: IncomingMessage; socket: Socket };

/**
 * Watches every connection and request the servers of this process accept. Node's diagnostics
 * channels see them whoever made the server, so this holds for `next start` run directly, whatever
 * address it listens on (no launcher or proxy setting to forget):
 * - with `refuseNonLoopback` (local mode), a connection from another machine is destroyed as it is
 *   accepted, and so is one that sends a request anyway;
 * - every request gets PEER_HEADER = "<stamp> <address>" with the socket's own address, in place of
 *   whatever the client sent. The stamp is a random secret of this process, so a header without it
 *   was not written here: the request arrived before the guard was installed.
 * Idempotent: a second call returns the installed guard, set to the latest `refuseNonLoopback`.
 */
export function ensurePeerGuard({ refuseNonLoopback }: { refuseNonLoopback: boolean }): PeerGuard {
  const holder = globalThis as GuardHolder;
  const installed = holder[GUARD_KEY];
  if (installed) {
    installed.refuseNonLoopback = refuseNonLoopback;
    return installed;
  }
  const onSocket = (message: unknown) => {
    const { socket } = message as SocketMessage;
    if (guard.refuseNonLoopback && !isLoopbackAddress(socket.remoteAddress)) {
      socket.destroy();
    }
  };
  const onRequest = (message: unknown) => {
    const { request, socket } = message as RequestMessage;
    request.headers[PEER_HEADER] = `${guard.stamp} ${socket.remoteAddress ?? ''}`;
    if (guard.refuseNonLoopback && !isLoopbackAddress(socket.remoteAddress)) {
      socket.destroy();
    }
  };
  const guard: InstalledGuard = {
    refuseNonLoopback,
    stamp: randomBytes(16).toString('hex'),
    uninstall() {
      diagnosticsChannel.unsubscribe('net.server.socket', onSocket);
      diagnosticsChannel.unsubscribe('http.server.request.start', onRequest);
      if (holder[GUARD_KEY] === guard) {
        delete holder[GUARD_KEY];
      }
    },
  };
  diagnosticsChannel.subscribe('net.server.socket', onSocket);
  diagnosticsChannel.subscribe('http.server.request.start', onRequest);
  holder[GUARD_KEY] = guard;
  return guard;
}

/**
 * The caller's address as the server's socket saw it, or undefined when the request carries no stamp
 * of the installed guard. Never X-Forwarded-For, which any client can write.
 */
export function readVerifiedPeer(headers: Pick<Headers, 'get'>): string | undefined {
  const guard = (globalThis as GuardHolder)[GUARD_KEY];
  const value = headers.get(PEER_HEADER);
  if (!guard || !value) {
    return undefined;
  }
  const separator = value.indexOf(' ');
  const stamp = Buffer.from(separator < 0 ? value : value.slice(0, separator), 'utf8');
  const expected = Buffer.from(guard.stamp, 'utf8');
  if (separator < 0 || stamp.length !== expected.length || !timingSafeEqual(stamp, expected)) {
    return undefined;
  }
  return value.slice(separator + 1);
}
