import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** API token secrets start with this, so a leaked one is easy to recognise (and to scan for). */
export const TOKEN_SECRET_PREFIX = 'syt_';

/** Only this digest of a token or session secret is stored; 256 random bits need no salt or slow hash. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Compares two secrets in time that does not depend on where they differ. */
export function secretsMatch(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(hashSecret(given), 'hex'), Buffer.from(hashSecret(expected), 'hex'));
}

/**
 * What a session keeps of the token it was opened with: an HMAC keyed by that token over the session's
 * own secret (which only the cookie holds). It changes with the token, so a changed ADMIN_TOKEN ends the
 * session; and since it also depends on a random secret that is not stored, a leaked sessions table
 * cannot be used to test guesses of the token offline.
 */
export function bindSessionToCredential(credential: string, sessionSecret: string): string {
  return createHmac('sha256', credential).update(`switchyard-session\0${sessionSecret}`, 'utf8').digest('hex');
}

export function isSessionBoundToCredential(stored: string, credential: string, sessionSecret: string): boolean {
  const expected = Buffer.from(bindSessionToCredential(credential, sessionSecret), 'hex');
  const given = Buffer.from(stored, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
