/**
 * PostgreSQL stores neither the NUL character nor half of a UTF-16 surrogate pair, in `text` or in
 * `jsonb`: one such character in a statement fails the whole statement. Text from outside (a service's
 * answer, a request) is checked or made storable here before it is written.
 */

/** How a refusal names the problem: input with such text is refused where it enters (a 422). */
export const UNSTORABLE_TEXT_MESSAGE = 'contains a NUL character or half of a UTF-16 surrogate pair, which cannot be stored';

/** What replaces a character PostgreSQL cannot store: visible, so nobody mistakes the text for the original. */
const REPLACEMENT_CHARACTER = '\uFFFD';

// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether PostgreSQL can store the string as it is. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** The text with every NUL and lone surrogate replaced by U+FFFD. */
export function toStorableText(text: string): string {
  return isStorableText(text) ? text : text.replace(NUL, REPLACEMENT_CHARACTER).toWellFormed();
}

/**
 * The text cut to at most `maxCharacters` UTF-16 units, never inside a surrogate pair, with a note
 * saying how much was cut. Storable as well.
 */
export function cutText(text: string, maxCharacters: number): string {
  const storable = toStorableText(text);
  if (storable.length <= maxCharacters) {
    return storable;
  }
  let end = maxCharacters;
  const last = storable.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) {
    end -= 1;
  }
  return `${storable.slice(0, end)}… [cut: ${storable.length - end} more characters]`;
}

/** Where in a JSON value a string or key cannot be stored, as a JSON Pointer under `path`; undefined when all can. */
export function findUnstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') {
    return isStorableText(value) ? undefined : path || '/';
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findUnstorableText(value[index], `${path}/${index}`);
      if (found !== undefined) {
        return found;
      }
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!isStorableText(key)) {
        return toStorableText(childPath);
      }
      const found = findUnstorableText(child, childPath);
      if (found !== undefined) {
        return found;
      }
    }
  }
  return undefined;
}

/** A copy of a JSON value whose strings and keys are all storable; the value itself when they already are. */
export function toStorableJson<T>(value: T): T {
  if (findUnstorableText(value) === undefined) {
    return value;
  }
  return replaceUnstorable(value) as T;
}

function replaceUnstorable(value: unknown): unknown {
  if (typeof value === 'string') {
    return toStorableText(value);
  }
  if (Array.isArray(value)) {
    return value.map(replaceUnstorable);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [toStorableText(key), replaceUnstorable(child)]));
  }
  return value;
}
