/**
 * A failure's signature: its error code (or class when it has none), its HTTP status, and its message
 * with uuids, e-mail addresses, identifiers and numbers replaced, so that "user 17 not found" and "user
 * 42 not found", or "No user usr_1c6fb56a" and "No user usr_db94e2f1", are one failure. Written by
 * PostgreSQL into the generated column `steps.error_signature` (as its md5: the short, URL-safe key
 * that GET /failures groups by and `error_signature` filters on), so that it is computed once, when the
 * error is recorded, and never while reading a million steps.
 *
 * Raw SQL over a column named `last_error`, built only from immutable functions (a generated column
 * requires it: no concat_ws, no format).
 */
const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const EMAIL_PATTERN = '[a-z0-9._%+-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+';
/**
 * A word of letters, digits and underscores with both a letter and a digit (usr_1c6fb56a, a1b2, req42),
 * but not a number with a short unit (2s, 500ms, 10MB), which stays a number.
 */
const IDENTIFIER_PATTERN = '\\m(?![0-9]+[a-z]{1,3}\\M)[a-z0-9_]*([a-z][a-z0-9_]*[0-9]|[0-9][a-z0-9_]*[a-z])[a-z0-9_]*';

/**
 * The error's message with uuids, e-mail addresses, identifiers (letters and digits mixed) and numbers
 * replaced by <uuid>, <email>, <id> and <n>.
 */
export function normalisedErrorMessageExpression(lastError: string): string {
  const message = `coalesce(${lastError}->>'message', '')`;
  const withoutUuids = `regexp_replace(${message}, '${UUID_PATTERN}', '<uuid>', 'gi')`;
  const withoutEmails = `regexp_replace(${withoutUuids}, '${EMAIL_PATTERN}', '<email>', 'gi')`;
  const withoutIdentifiers = `regexp_replace(${withoutEmails}, '${IDENTIFIER_PATTERN}', '<id>', 'gi')`;
  return `left(regexp_replace(${withoutIdentifiers}, '[0-9]+', '<n>', 'g'), 300)`;
}

/** `code-or-class | HTTP status | normalised message`, the status part left out when there is none. */
export function errorSignatureExpression(lastError: string): string {
  return `coalesce(nullif(${lastError}->>'code', ''), nullif(${lastError}->>'class', ''), 'Error')
    || coalesce(' | HTTP ' || (${lastError}->>'http_status'), '')
    || ' | ' || ${normalisedErrorMessageExpression(lastError)}`;
}

/** The generated column's expression: null while the step has no error. */
export const ERROR_SIGNATURE_KEY_EXPRESSION = `case when last_error is null then null else md5(${errorSignatureExpression('last_error')}) end`;
