import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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
