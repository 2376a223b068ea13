import { describe, expect, it } from 'vitest';
import { readClientAddress } from './read-client-address';

const from = (forwardedFor?: string) => new Request('http://127.0.0.1:3000/api/v1/tasks', { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } });

describe('readClientAddress', () => {
  it('takes the last X-Forwarded-For entry: the socket address Next.js wrote, or the one the nearest proxy appended', () => {
    expect(readClientAddress(from('203.0.113.9'))).toBe('203.0.113.9');
    expect(readClientAddress(from('made-up, 198.51.100.4'))).toBe('198.51.100.4');
    expect(readClientAddress(from('10.0.0.1,198.51.100.4 '))).toBe('198.51.100.4');
    expect(readClientAddress(from('::ffff:127.0.0.1'))).toBe('127.0.0.1');
    expect(readClientAddress(from('2001:DB8::1'))).toBe('2001:db8::1');
  });

  it('keys a request without one as unknown', () => {
    expect(readClientAddress(from())).toBe('unknown');
    expect(readClientAddress(from(' , '))).toBe('unknown');
  });
});
