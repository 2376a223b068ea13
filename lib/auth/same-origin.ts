/**
 * Whether a browser request comes from our own pages. Browsers send `Sec-Fetch-Site` (and `Origin` on
 * every POST, PATCH and DELETE), and a page elsewhere cannot forge either; a request with neither is
 * not from a browser page we can vouch for.
 */
export function isSameOriginRequest(request: Pick<Request, 'headers' | 'url'>): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) {
    return site === 'same-origin';
  }
  const origin = request.headers.get('origin');
  if (origin === null || origin === 'null') {
    return false;
  }
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [request.headers.get('host'), request.headers.get('x-forwarded-host')?.split(',')[0]?.trim(), new URL(request.url).host];
  return hosts.some((host) => host !== null && host !== undefined && host !== '' && host.toLowerCase() === originHost.toLowerCase());
}

/** Whether a browser says outright that the request comes from another site (curl says nothing). */
export function isCrossSiteRequest(request: Pick<Request, 'headers' | 'url'>): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) {
    return site !== 'same-origin' && site !== 'none';
  }
  const origin = request.headers.get('origin');
  return origin !== null && !isSameOriginRequest(request);
}
