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

describe('readEnv: ALERT_WEBHOOK_URL and ALERT_QUIET_SECONDS', () => {
  it('takes an http(s) webhook, none when blank, and 600 s of quiet by default', () => {
    expect(readEnv({}).alertWebhookUrl).toBeUndefined();
    expect(readEnv({ ALERT_WEBHOOK_URL: '  ' }).alertWebhookUrl).toBeUndefined();
    expect(readEnv({ ALERT_WEBHOOK_URL: ' https://hooks.slack.com/services/T0/B0/abc ' }).alertWebhookUrl).toBe(
      'https://hooks.slack.com/services/T0/B0/abc',
    );
    expect(readEnv({}).alertQuietSeconds).toBe(600);
    expect(readEnv({ ALERT_QUIET_SECONDS: '0' }).alertQuietSeconds).toBe(0);
    expect(readEnv({ ALERT_QUIET_SECONDS: '3600' }).alertQuietSeconds).toBe(3600);
  });

  it('refuses a webhook that is not an http(s) address, naming the variable but never repeating its value', () => {
    for (const bad of ['hooks.slack.com/services/T0/B0/secret-part', 'ftp://example.com/secret-part', 'mailto:secret-part@example.com']) {
      let message = '';
      try {
        readEnv({ ALERT_WEBHOOK_URL: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, bad).toMatch(/^ALERT_WEBHOOK_URL must be an http:\/\/ or https:\/\/ address/);
      expect(message, bad).not.toContain('secret-part');
    }
  });

  it('refuses a quiet time that is not a whole number of seconds, naming the variable', () => {
    for (const bad of ['ten', '-1', '1.5', '10m', '999999999']) {
      expect(() => readEnv({ ALERT_QUIET_SECONDS: bad }), bad).toThrow(/ALERT_QUIET_SECONDS must be a whole number from 0 to 604800/);
    }
  });
});

describe('readEnv: SERVICE_<NAME>_RATE_PER_SECOND and SERVICE_<NAME>_MAX_CONCURRENCY', () => {
  it('reads the limits of each service that has them', () => {
    expect(readEnv({}).serviceLimits).toEqual([]);
    expect(
      readEnv({
        SERVICE_BILLING_RATE_PER_SECOND: '2',
        SERVICE_BILLING_MAX_CONCURRENCY: ' 3 ',
        SERVICE_NOTIFICATION_RATE_PER_SECOND: '0.5',
        SERVICE_MAILER_URL: 'https://mail.example.com',
        SERVICE_MAILER_MAX_CONCURRENCY: '1',
        SERVICE_USER_RATE_PER_SECOND: '',
      }).serviceLimits,
    ).toEqual([
      { service: 'billing', ratePerSecond: 2, maxConcurrency: 3 },
      { service: 'mailer', ratePerSecond: null, maxConcurrency: 1 },
      { service: 'notification', ratePerSecond: 0.5, maxConcurrency: null },
    ]);
  });

  it('stops the start on a value that is not a limit, naming the variable', () => {
    for (const bad of ['two', '0', '-1', 'NaN', 'Infinity', '2/s', '100000']) {
      expect(() => readEnv({ SERVICE_BILLING_RATE_PER_SECOND: bad }), bad).toThrow(
        new RegExp(`^SERVICE_BILLING_RATE_PER_SECOND must be a number of calls per second above 0 .*not "${bad.replace('/', '\\/')}"`),
      );
    }
    for (const bad of ['one', '0', '1.5', '-2', '100000']) {
      expect(() => readEnv({ SERVICE_BILLING_MAX_CONCURRENCY: bad }), bad).toThrow(
        new RegExp(`^SERVICE_BILLING_MAX_CONCURRENCY must be a whole number of calls at once from 1 to 10000, not "${bad}"`),
      );
    }
  });

  it('refuses a limit for a service that does not exist', () => {
    expect(() => readEnv({ SERVICE_BILING_RATE_PER_SECOND: '2' })).toThrow(
      /^SERVICE_BILING_RATE_PER_SECOND names service "biling", which has no SERVICE_BILING_URL/,
    );
  });
});

describe('readEnv: RETENTION_DAYS and ARCHIVE', () => {
  it('keeps every task by default, and takes a number of days above 0', () => {
    expect(readEnv({})).toMatchObject({ retentionDays: undefined, archive: false });
    expect(readEnv({ RETENTION_DAYS: ' ' })).toMatchObject({ retentionDays: undefined });
    expect(readEnv({ RETENTION_DAYS: '30' })).toMatchObject({ retentionDays: 30, archive: false });
    expect(readEnv({ RETENTION_DAYS: '0.5', ARCHIVE: 'on' })).toMatchObject({ retentionDays: 0.5, archive: true });
  });

  it('refuses a retention that is not a number of days above 0, naming the variable', () => {
    for (const value of ['0', '-3', 'thirty', '30d', '1e9']) {
      expect(() => readEnv({ RETENTION_DAYS: value }), value).toThrow(`RETENTION_DAYS must be a number of days above 0`);
    }
    expect(() => readEnv({ RETENTION_DAYS: 'thirty' })).toThrow('Not "thirty"');
  });

  it('refuses ARCHIVE other than on or off, and ARCHIVE=on without RETENTION_DAYS', () => {
    expect(() => readEnv({ RETENTION_DAYS: '30', ARCHIVE: 'yes please' })).toThrow('ARCHIVE must be "on" or "off"');
    expect(() => readEnv({ ARCHIVE: 'on' })).toThrow('ARCHIVE=on keeps the tasks RETENTION_DAYS removes, but RETENTION_DAYS is not set');
    expect(readEnv({ ARCHIVE: 'off' })).toMatchObject({ archive: false });
  });
});
