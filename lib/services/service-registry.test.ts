import { describe, expect, it } from 'vitest';
import { findServiceByUrl, listServiceNames, readServiceAliases, resolveServiceUrls, shouldStartDemoServices } from './service-registry';

const allFour = {
  SERVICE_USER_URL: 'http://users.internal',
  SERVICE_BILLING_URL: 'https://billing.internal/api/',
  SERVICE_PREFERENCES_URL: 'http://prefs.internal',
  SERVICE_NOTIFICATION_URL: 'http://notify.internal',
};

describe('listServiceNames', () => {
  it('lists the four known services, then the ones configured by SERVICE_<NAME>_URL', () => {
    expect(listServiceNames({ SERVICE_FRAUD_CHECK_URL: 'http://fraud', SERVICE_USER_URL: 'http://u', PATH: '/bin' })).toEqual([
      'user',
      'billing',
      'preferences',
      'notification',
      'fraud_check',
    ]);
  });
});

describe('resolveServiceUrls', () => {
  it('uses SERVICE_<NAME>_URL when set and the demo prefix otherwise', () => {
    const urls = resolveServiceUrls({
      env: { SERVICE_BILLING_URL: 'https://billing.internal/api/', SERVICE_AUDIT_URL: 'http://audit:8080', SERVICE_USER_URL: '' },
      demoServicesUrl: 'http://127.0.0.1:3100/',
    });
    expect(urls).toEqual({
      user: 'http://127.0.0.1:3100/user',
      billing: 'https://billing.internal/api',
      preferences: 'http://127.0.0.1:3100/preferences',
      notification: 'http://127.0.0.1:3100/notification',
      audit: 'http://audit:8080',
    });
  });

  it('leaves out services without a URL when there are no demo services', () => {
    expect(resolveServiceUrls({ env: { SERVICE_USER_URL: 'http://u' } })).toEqual({ user: 'http://u' });
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => resolveServiceUrls({ env: { SERVICE_USER_URL: 'file:///etc/passwd' } })).toThrow(/SERVICE_USER_URL/);
    expect(() => resolveServiceUrls({ env: { SERVICE_USER_URL: 'not a url' } })).toThrow(/SERVICE_USER_URL/);
  });
});

describe('shouldStartDemoServices', () => {
  it('follows DEMO_SERVICES when it is set', () => {
    expect(shouldStartDemoServices({ DEMO_SERVICES: 'off' })).toBe(false);
    expect(shouldStartDemoServices({ ...allFour, DEMO_SERVICES: 'on' })).toBe(true);
    expect(() => shouldStartDemoServices({ DEMO_SERVICES: 'maybe' })).toThrow(/DEMO_SERVICES/);
  });

  it('starts them by default unless each of the four services has a URL', () => {
    expect(shouldStartDemoServices({})).toBe(true);
    expect(shouldStartDemoServices({ ...allFour, SERVICE_NOTIFICATION_URL: undefined })).toBe(true);
    expect(shouldStartDemoServices(allFour)).toBe(false);
  });
});

describe('readServiceAliases and findServiceByUrl', () => {
  it("answers for the blog example's four URLs by default", () => {
    const aliases = readServiceAliases({});
    expect(findServiceByUrl(aliases, 'https://api.userservice.com')).toEqual({ service: 'user', alias: 'https://api.userservice.com', path: '/' });
    expect(findServiceByUrl(aliases, 'https://api.billingservice.com/profiles/')).toMatchObject({ service: 'billing', path: '/profiles' });
    expect(findServiceByUrl(aliases, 'https://api.userservice.com.evil.example')).toBeUndefined();
    expect(findServiceByUrl(aliases, 'not a url')).toBeUndefined();
  });

  it('takes SERVICE_<NAME>_ALIASES, comma-separated, instead of the default', () => {
    const aliases = readServiceAliases({ SERVICE_USER_ALIASES: 'https://users.internal/, https://accounts.internal/v2' });
    expect(findServiceByUrl(aliases, 'https://accounts.internal/v2/users')).toMatchObject({ service: 'user', path: '/users' });
    expect(findServiceByUrl(aliases, 'https://api.userservice.com')).toBeUndefined();
    expect(findServiceByUrl(aliases, 'https://api.billingservice.com')).toMatchObject({ service: 'billing' });
  });

  it('refuses an alias of an unknown service, one that is not http(s), and one that two services claim', () => {
    expect(() => readServiceAliases({ SERVICE_SHIPPING_ALIASES: 'https://ship.example' })).toThrow(/SERVICE_SHIPPING_URL/);
    expect(() => readServiceAliases({ SERVICE_USER_ALIASES: 'ftp://users.example' })).toThrow(/SERVICE_USER_ALIASES/);
    expect(() => readServiceAliases({ SERVICE_BILLING_ALIASES: 'https://api.userservice.com' })).toThrow(/both/);
  });
});
