/**
 * The best address a route handler has for the caller, for limiting failed token checks. A route handler
 * sees no socket. Next.js's server puts the socket's address in `X-Forwarded-For` when the request came
 * without one, and leaves the header alone when it came with one. So:
 * - a direct caller that sends no such header is keyed by its socket address (local mode serves loopback
 *   callers only, so there it is always loopback);
 * - behind a proxy that appends the address it saw (nginx's `$proxy_add_x_forwarded_for`, most load
 *   balancers), the last entry is the one that proxy vouches for; earlier entries are the client's word;
 * - a direct caller that sends the header itself chooses its key. That is why the limiter also has a
 *   global ceiling: made-up addresses buy a spoofer no more than the ceiling allows.
 */
export function readClientAddress(request: Request): string {
  const forwardedFor = request.headers.get('x-forwarded-for');
  const last = forwardedFor?.split(',').at(-1)?.trim().toLowerCase();
  return last ? last.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '') : 'unknown';
}
