import type { SwitchyardEnv } from '../env';
import { isLoopbackAddress, isLoopbackHostname, parseHostHeader } from './loopback';
import { isCrossSiteRequest } from './same-origin';

/**
 * Who may reach the server at all, before any route or page runs (proxy.ts applies it to every
 * request; handleRoute applies the cross-site rule again for the API).
 *
 * Local mode (no ADMIN_TOKEN) has no tokens, so the network is its lock: only callers on this machine
 * (the socket's address, see peer-guard.ts), and only under a name that always means this machine or
 * PUBLIC_URL's, so a page whose own name is made to resolve to 127.0.0.1 (DNS rebinding) is not served.
 * In every mode a change (any method but GET, HEAD, OPTIONS) sent by a browser page of another origin
 * is refused, whatever credential rides along: the browser adds a cookie by itself, and a page of
 * another site has no business driving the dashboard. Clients that are not browser pages (curl,
 * scripts) send neither Sec-Fetch-Site nor Origin and are not affected.
 */
export type PerimeterConfig = {
  localMode: boolean;
  /** PUBLIC_URL's host name, also served in local mode. */
  publicHostname: string;
};

export type PerimeterRequest = Pick<Request, 'method' | 'headers' | 'url'>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readPerimeterConfig(env: Pick<SwitchyardEnv, 'adminToken' | 'publicUrl'>): PerimeterConfig {
  return { localMode: !env.adminToken, publicHostname: parseHostHeader(new URL(env.publicUrl).host) ?? '' };
}

/**
 * Why the request may not be served, in words for the caller, or undefined when it may.
 * `peer` is the caller's address as the server's socket saw it (readVerifiedPeer), undefined when unknown.
 */
export function checkRequestPerimeter(request: PerimeterRequest, config: PerimeterConfig, peer: string | undefined): string | undefined {
  if (config.localMode) {
    if (peer === undefined) {
      return 'Switchyard could not tell where this request came from (it arrived while the server was starting); send it again';
    }
    if (!isLoopbackAddress(peer)) {
      return 'Switchyard is in local mode (no ADMIN_TOKEN), so it serves this machine only; set ADMIN_TOKEN to serve other machines';
    }
    const host = request.headers.get('host');
    const hostname = parseHostHeader(host);
    if (hostname === undefined || !(isLoopbackHostname(hostname) || hostname === config.publicHostname)) {
      return (
        `Host "${host ?? ''}" is not served: in local mode Switchyard answers only to localhost, 127.0.0.1, [::1] ` +
        `and PUBLIC_URL's host (${config.publicHostname}), so a page under another name cannot reach it`
      );
    }
  }
  return findCrossSiteChange(request);
}

/** Why a change sent by another site's page is refused, or undefined when the request is not one. */
export function findCrossSiteChange(request: PerimeterRequest): string | undefined {
  if (SAFE_METHODS.has(request.method) || !isCrossSiteRequest(request)) {
    return undefined;
  }
  const site = request.headers.get('sec-fetch-site');
  const from = site !== null ? `Sec-Fetch-Site: ${site}` : `Origin: ${request.headers.get('origin') ?? ''}`;
  return `A change must come from the dashboard itself or from a client that is not a browser page; this one came from another site's page (${from})`;
}
