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
