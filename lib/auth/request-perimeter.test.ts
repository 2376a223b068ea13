import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHostname, parseHostHeader } from './loopback';
import { checkRequestPerimeter, findCrossSiteChange, readPerimeterConfig, type PerimeterConfig } from './request-perimeter';

const LOCAL: PerimeterConfig = readPerimeterConfig({ adminToken: undefined, publicUrl: 'http://127.0.0.1:3000' });
const TOKENS: PerimeterConfig = readPerimeterConfig({ adminToken: 'x'.repeat(40), publicUrl: 'https://switchyard.example.com' });

function request(method: string, headers: Record<string, string>, url = 'http://127.0.0.1:3000/api/v1/tasks/t1/cancel') {
  return new Request(url, { method, headers });
}

describe('the request perimeter', () => {
  it('in local mode serves loopback callers under loopback names and PUBLIC_URL’s host, with any port', () => {
    const served = ['127.0.0.1:3000', '127.0.0.1', 'localhost:3000', 'LOCALHOST', '[::1]:3000', '[::1]', '127.8.9.10:80', 'switchyard.test:443'];
    const withPublicUrl = readPerimeterConfig({ adminToken: undefined, publicUrl: 'https://Switchyard.test' });
    for (const host of served) {
      for (const peer of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.53']) {
        expect(checkRequestPerimeter(request('GET', { host }), withPublicUrl, peer), `${host} from ${peer}`).toBeUndefined();
      }
    }
  });

  it('in local mode refuses a Host that is not a loopback name or PUBLIC_URL’s (DNS rebinding), saying why', () => {
    for (const host of [
      'evil.example',
      'evil.example:3000',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      '192.168.1.20:3000',
      '0.0.0.0:3000',
      '[::2]:3000',
      '',
      'a b',
    ]) {
      const refusal = checkRequestPerimeter(request('GET', host ? { host } : {}), LOCAL, '127.0.0.1');
      expect(refusal, host).toMatch(
        /is not served: in local mode Switchyard answers only to localhost, 127\.0\.0\.1, \[::1\] and PUBLIC_URL's host \(127\.0\.0\.1\)/,
      );
    }
  });

  it('in local mode refuses callers from other machines, and callers whose address it could not verify', () => {
    for (const peer of ['192.0.2.2', '::ffff:192.0.2.2', '10.0.0.1', 'fe80::1', '']) {
      expect(checkRequestPerimeter(request('GET', { host: '127.0.0.1:3000' }), LOCAL, peer), peer).toMatch(/local mode .* serves this machine only/);
    }
    expect(checkRequestPerimeter(request('GET', { host: '127.0.0.1:3000' }), LOCAL, undefined)).toMatch(
      /could not tell where this request came from/,
    );
  });

  it('with ADMIN_TOKEN serves any caller under any name (tokens guard it)', () => {
    expect(checkRequestPerimeter(request('GET', { host: '192.0.2.2:3000' }), TOKENS, '192.0.2.7')).toBeUndefined();
    expect(checkRequestPerimeter(request('POST', { host: 'anything.example' }), TOKENS, undefined)).toBeUndefined();
  });

  it('refuses in every mode a change that a page of another site or origin sent, and lets curl and the dashboard through', () => {
    const host = { host: '127.0.0.1:3000' };
    for (const config of [LOCAL, TOKENS]) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const fromElsewhere: Record<string, string>[] = [
          { 'sec-fetch-site': 'cross-site' },
          { 'sec-fetch-site': 'same-site' },
          { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:4000' },
          { origin: 'http://127.0.0.1:4000' },
          { origin: 'http://evil.example' },
          { origin: 'null' },
        ];
        for (const sent of fromElsewhere) {
          expect(
            checkRequestPerimeter(request(method, { ...host, ...sent, authorization: 'Bearer anything' }), config, '127.0.0.1'),
            JSON.stringify(sent),
          ).toMatch(/^A change must come from the dashboard itself .*another site's page \((Sec-Fetch-Site|Origin): /);
        }
        const fromHere: Record<string, string>[] = [
          {},
          { 'sec-fetch-site': 'same-origin' },
          { 'sec-fetch-site': 'none' },
          { origin: 'http://127.0.0.1:3000' },
        ];
        for (const sent of fromHere) {
          expect(checkRequestPerimeter(request(method, { ...host, ...sent }), config, '127.0.0.1'), JSON.stringify(sent)).toBeUndefined();
        }
      }
      for (const method of ['GET', 'HEAD', 'OPTIONS']) {
        expect(findCrossSiteChange(request(method, { ...host, 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' }))).toBeUndefined();
      }
    }
  });
});

describe('loopback names and addresses', () => {
  it('knows the loopback addresses in every spelling a socket or header uses', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '[::1]', '::ffff:127.0.0.1', '::FFFF:127.1.2.3']) {
      expect(isLoopbackAddress(address), address).toBe(true);
    }
    for (const address of [undefined, '', '192.0.2.2', '::ffff:192.0.2.2', '::', '0.0.0.0', '::2', 'localhost', '128.0.0.1', '127.0.0.1.example']) {
      expect(isLoopbackAddress(address), String(address)).toBe(false);
    }
    expect(isLoopbackHostname('localhost')).toBe(true);
    expect(isLoopbackHostname('localhost.example')).toBe(false);
  });

  it('reads the host name out of a Host header', () => {
    expect(parseHostHeader('Example.COM:8080')).toBe('example.com');
    expect(parseHostHeader('[::1]:3000')).toBe('::1');
    expect(parseHostHeader('127.0.0.1')).toBe('127.0.0.1');
    for (const bad of [null, '', 'a b', 'host:port', 'user@host', 'host/path', '[::1', 'host:123456']) {
      expect(parseHostHeader(bad), String(bad)).toBeUndefined();
    }
  });
});
