import { describe, expect, it } from 'vitest';
import { readEnv } from './env';
import { createSecretMatcher, parseRedactFields, redactJson, redactPath } from './redact-secrets';

describe('redacting secrets', () => {
  const matcher = createSecretMatcher(['iban']);

  it('knows secret names however they are written, and names from REDACT_FIELDS', () => {
    for (const name of [
      'password',
      'newPassword',
      'card_number',
      'cardNumber',
      'CVV',
      'X-Auth-Token',
      'Authorization',
      'Set-Cookie',
      'api_key',
      'client_secret',
      'IBAN',
    ]) {
      expect(matcher.isSecretName(name), name).toBe(true);
    }
    for (const name of ['email', 'Idempotency-Key', 'X-Correlation-ID', 'status', 'amount']) {
      expect(matcher.isSecretName(name), name).toBe(false);
    }
    expect(createSecretMatcher().isSecretName('iban')).toBe(false);
  });

  it('redacts JSON at any depth, inside arrays, and whole values under a secret name', () => {
    expect(
      redactJson(
        { user: { email: 'a@b.c', password: 'pw' }, wallet: [{ card: { number: '4111', cvc: '123' } }], items: [{ token: 't', n: 1 }] },
        matcher,
      ),
    ).toEqual({ user: { email: 'a@b.c', password: '[redacted]' }, wallet: [{ card: '[redacted]' }], items: [{ token: '[redacted]', n: 1 }] });
  });

  it('redacts free text: key=value, key: value, "key": "value", Bearer credentials, a JSON text cut before its closing quote', () => {
    expect(matcher.redactText('login password=hunter2&user=ann')).toBe('login password=[redacted]&user=ann');
    expect(matcher.redactText('Authorization: Bearer abc.def')).toBe('Authorization: [redacted]');
    expect(matcher.redactText('{"card_number": "4111 1111", "name": "Ann"}')).toBe('{"card_number": "[redacted]", "name": "Ann"}');
    expect(matcher.redactText('{"email":"a@b.c","password":"hun')).toBe('{"email":"a@b.c","password":"[redacted]"');
    expect(matcher.redactText('card declined for order 123')).toBe('card declined for order 123');
  });

  it('redacts secret query parameters of a path', () => {
    expect(redactPath('/users?access_token=abc&plan=pro', matcher)).toBe('/users?access_token=[redacted]&plan=pro');
    expect(redactPath('/users/42', matcher)).toBe('/users/42');
  });

  it('takes linear time on long text built to make a regular expression backtrack', () => {
    const hostile = `${'token'.repeat(200_000)} ${'a_'.repeat(200_000)}`;
    const startedAt = performance.now();
    matcher.redactText(hostile);
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it('reads REDACT_FIELDS and refuses a name it could not match, saying which', () => {
    expect(parseRedactFields(' iban, session_id ,,')).toEqual(['iban', 'session_id']);
    expect(parseRedactFields(undefined)).toEqual([]);
    expect(readEnv({ REDACT_FIELDS: 'iban' }).redactFields).toEqual(['iban']);
    expect(() => readEnv({ REDACT_FIELDS: 'iban,tax id' })).toThrow(
      'REDACT_FIELDS must be names separated by commas, each of letters, digits, "-", "_" or ".", such as "iban,session_id"; "tax id" is not one',
    );
  });
});
