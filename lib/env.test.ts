import { describe, expect, it } from 'vitest';
import { readEnv } from './env';

describe('readEnv: ADMIN_TOKEN', () => {
  it('refuses an ADMIN_TOKEN shorter than 32 characters, saying how to make one', () => {
    for (const short of ['x', 'changeme', 'e2e-admin-token-not-a-secret', 'a'.repeat(31), `  ${'a'.repeat(31)}  `]) {
      expect(() => readEnv({ ADMIN_TOKEN: short }), short).toThrow(/ADMIN_TOKEN must be at least 32 characters.*openssl rand -hex 32/);
    }
  });

  it('takes one of 32 characters or more, and none (blank) as local mode', () => {
    expect(readEnv({ ADMIN_TOKEN: 'a'.repeat(32) }).adminToken).toBe('a'.repeat(32));
    expect(readEnv({ ADMIN_TOKEN: ` ${'f0'.repeat(32)} ` }).adminToken).toBe('f0'.repeat(32));
    expect(readEnv({ ADMIN_TOKEN: '' }).adminToken).toBeUndefined();
    expect(readEnv({ ADMIN_TOKEN: '   ' }).adminToken).toBeUndefined();
    expect(readEnv({}).adminToken).toBeUndefined();
  });
});

describe('readEnv: HOST and PUBLIC_URL', () => {
  const token = 'a'.repeat(32);

  it('listens on loopback without ADMIN_TOKEN and on every address with it, unless HOST says otherwise', () => {
    expect(readEnv({}).host).toBe('127.0.0.1');
    expect(readEnv({ ADMIN_TOKEN: token }).host).toBe('0.0.0.0');
    expect(readEnv({ ADMIN_TOKEN: token, HOST: '10.1.2.3' }).host).toBe('10.1.2.3');
    for (const loopback of ['127.0.0.1', '127.0.1.1', 'localhost', '::1', '[::1]']) {
      expect(readEnv({ HOST: loopback }).host, loopback).toBe(loopback);
    }
  });

  it('refuses a HOST other machines can reach without ADMIN_TOKEN, saying what to do', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'switchyard.example.com']) {
      expect(() => readEnv({ HOST: host }), host).toThrow(
        /HOST=.* would let other machines connect, but ADMIN_TOKEN is not set.*Set ADMIN_TOKEN.*or leave HOST unset/,
      );
    }
  });

  it('defaults PUBLIC_URL to the loopback address and port, and refuses one that is not http(s)', () => {
    expect(readEnv({}).publicUrl).toBe('http://127.0.0.1:3000');
    expect(readEnv({ PORT: '3350' }).publicUrl).toBe('http://127.0.0.1:3350');
    expect(readEnv({ PUBLIC_URL: 'https://switchyard.example.com/' }).publicUrl).toBe('https://switchyard.example.com');
    for (const bad of ['switchyard.example.com', 'ftp://example.com', 'javascript:alert(1)']) {
      expect(() => readEnv({ PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL must be an http:\/\/ or https:\/\/ address/);
    }
  });
});
