import net from 'node:net';

/**
 * What counts as "this machine" in local mode: an address is loopback when it is in 127.0.0.0/8 or is
 * ::1 (also written as an IPv4-mapped IPv6 address, as a server listening on :: sees IPv4 callers).
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) {
    return false;
  }
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(unbracketed);
  const candidate = mapped?.[1] ?? unbracketed;
  if (net.isIPv4(candidate)) {
    return candidate.startsWith('127.');
  }
  if (net.isIPv6(candidate)) {
    // The URL parser writes an IPv6 address in its shortest form (0:0:0:0:0:0:0:1 → ::1).
    return new URL(`http://[${candidate}]/`).hostname === '[::1]';
  }
  return false;
}

/** Whether a host name (no port) always names this machine: localhost, 127.x.x.x or ::1 (bracketed or not). */
export function isLoopbackHostname(hostname: string): boolean {
  const lower = hostname.toLowerCase();
  return lower === 'localhost' || isLoopbackAddress(lower);
}

/**
 * The host name of a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-cased, or
 * undefined when the header is not of that form.
 */
export function parseHostHeader(host: string | null | undefined): string | undefined {
  if (!host) {
    return undefined;
  }
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!match?.[1]) {
    return undefined;
  }
  const name = match[1].toLowerCase();
  return name.startsWith('[') ? name.slice(1, -1) : name;
}
