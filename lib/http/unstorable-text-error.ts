import { InvalidInputError } from '../errors';
import { isStorableText, toStorableText, UNSTORABLE_TEXT_MESSAGE } from '../storable-text';

/**
 * The 422 for input holding text PostgreSQL cannot store (a NUL, or half a UTF-16 surrogate pair),
 * refused where it enters so it never reaches a statement. `path` names the field: a JSON Pointer into
 * the body (`/context/user_info/name`), `query.<name>` or `path.<name>`.
 */
export function unstorableTextError(path: string, where: string): InvalidInputError {
  return new InvalidInputError([{ path: toStorableText(path), message: UNSTORABLE_TEXT_MESSAGE }], `${where} holds text that cannot be stored`);
}

/** Throws the 422 for the first route parameter (name or value) that cannot be stored. */
export function refuseUnstorableRouteParams(params: Record<string, string | string[] | undefined>): void {
  for (const [name, value] of Object.entries(params)) {
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (!isStorableText(name) || !values.every(isStorableText)) {
      throw unstorableTextError(`path.${name}`, 'The path');
    }
  }
}
