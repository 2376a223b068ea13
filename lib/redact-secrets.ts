/**
 * Keeps secrets out of what an attempt stores (its request, response and log lines). A header, body
 * field, query parameter or log field is a secret when its name, lower-cased and without `-`, `_` and
 * `.`, contains one of the secret names: `cardNumber`, `card_number`, `X-Auth-Token` and `Set-Cookie`
 * all are. Redacting too much is the safe mistake, so the match is by substring.
 */

/** Always redacted; REDACT_FIELDS adds names to these, it never removes one. */
const DEFAULT_SECRET_NAMES = [
  'password',
  'passwd',
  'passphrase',
  'token',
  'secret',
  'card',
  'cvv',
  'cvc',
  'authorization',
  'cookie',
  'apikey',
  'privatekey',
  'ssn',
] as const;

export const REDACTED = '[redacted]';

export type SecretMatcher = {
  /** Whether a header, field or parameter of this name holds a secret. */
  isSecretName(name: string): boolean;
  /** Free text (a body that is not JSON, a log message) with the value after `secret=`, `secret:` or `"secret": ` replaced. */
  redactText(text: string): string;
};

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

const MAX_DECIDED_NAMES = 1000;

/** A matcher for the default secret names plus `extraNames` (REDACT_FIELDS). */
export function createSecretMatcher(extraNames: readonly string[] = []): SecretMatcher {
  const names = [...new Set([...DEFAULT_SECRET_NAMES, ...extraNames.map(normalizeName)].filter((name) => name !== ''))];
  // Attempts meet the same few names again and again: each is decided once (the cache is bounded).
  const decided = new Map<string, boolean>();
  const isSecretName = (name: string) => {
    let secret = decided.get(name);
    if (secret === undefined) {
      const normalized = normalizeName(name);
      secret = names.some((candidate) => normalized.includes(candidate));
      if (decided.size < MAX_DECIDED_NAMES) {
        decided.set(name, secret);
      }
    }
    return secret;
  };
  return {
    isSecretName,
    redactText: (text) =>
      // Most values hold no `:` or `=`, and so no key and value: they are left as they are, at once.
      !text.includes(':') && !text.includes('=')
        ? text
        : text.replace(KEY_AND_VALUE, (match, quote: string, key: string, separator: string, value: string) => {
            if (!isSecretName(key)) {
              return match;
            }
            const valueQuote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
            return `${quote}${key}${quote}${separator}${valueQuote}${REDACTED}${valueQuote}`;
          }),
  };
}

/**
 * `key: value`, `key=value` or `"key": "value"` in free text, the key at most 64 characters long and
 * starting a word: every part is bounded or linear, so a long text costs linear time (no backtracking
 * storm). The value: a quoted string (maybe cut before its closing quote), a Bearer or Basic
 * credential, or a run of characters up to a separator.
 */
const KEY_AND_VALUE =
  /(?<![A-Za-z0-9_.-])(["']?)([A-Za-z0-9_.-]{1,64})\1(\s*[:=]\s*)("(?:[^"\\]|\\.)*"?|'[^']*'?|(?:Bearer|Basic)\s+[^\s&,;"']+|[^\s&,;"']+)/gi;

/**
 * Reads REDACT_FIELDS: names separated by commas (letters, digits, `-`, `_`, `.`). Throws with a clear
 * message for anything else, so a typo does not silently leave a secret in the database.
 */
export function parseRedactFields(raw: string | undefined): string[] {
  const names = (raw ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const invalid = names.find((name) => !/^[A-Za-z0-9_.-]+$/.test(name) || normalizeName(name) === '');
  if (invalid !== undefined) {
    throw new Error(
      `REDACT_FIELDS must be names separated by commas, each of letters, digits, "-", "_" or ".", such as "iban,session_id"; "${invalid}" is not one`,
    );
  }
  return names;
}

/**
 * A copy of a JSON value with the value of every secret field replaced by "[redacted]", at any depth
 * (inside arrays too); strings that are not JSON are redacted as free text. Values deeper than
 * `maxDepth` become their JSON text, redacted as free text: jsonb refuses very deep values.
 */
export function redactJson(value: unknown, matcher: SecretMatcher, maxDepth = 20): unknown {
  if (typeof value === 'string') {
    return matcher.redactText(value);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (maxDepth <= 0) {
    return matcher.redactText(JSON.stringify(value));
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => redactJson(item, matcher, maxDepth - 1));
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, matcher.isSecretName(key) ? REDACTED : redactJson(child, matcher, maxDepth - 1)]),
  );
}

/** A service path with the values of secret query parameters redacted (`/users?token=abc` → `/users?token=[redacted]`). */
export function redactPath(path: string, matcher: SecretMatcher): string {
  const queryStart = path.indexOf('?');
  if (queryStart === -1) {
    return path;
  }
  const query = path
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed escape: match the name as written.
      }
      return equals !== -1 && matcher.isSecretName(decoded) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${path.slice(0, queryStart)}?${query}`;
}
