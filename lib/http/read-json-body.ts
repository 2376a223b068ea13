import { AppError, InvalidInputError } from '../errors';
import { findUnstorableText } from '../storable-text';
import type { ValidationResult } from '../validation';
import { readBodyText } from './read-body-text';
import { unstorableTextError } from './unstorable-text-error';

/** Deeper than this is refused before parsing; the validator refuses anything past 100 levels anyway. */
const MAX_JSON_NESTING = 200;

const JSON_BODY = {
  expected: 'application/json',
  accepts: (mediaType: string) => mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType),
};

function exceedsNesting(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) {
        index++;
      } else if (char === 0x22) {
        inString = false;
      }
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b || char === 0x7b) {
      depth++;
      if (depth > limit) {
        return true;
      }
    } else if (char === 0x5d || char === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * Reads and validates a JSON body: 415 unless it is application/json, 413 over 1 MiB, 400 when it is
 * not JSON, 422 naming a string or key PostgreSQL cannot store (NUL, half a surrogate pair), 422 listing
 * every problem the schema finds (JSON Pointer paths). An `optional` body may be
 * left out; it is then validated as `{}`, so the schema's defaults apply.
 */
export async function readJsonBody<T>(
  request: Request,
  validate: (value: unknown) => ValidationResult<T>,
  { optional = false }: { optional?: boolean } = {},
): Promise<T> {
  const text = await readBodyText(request, JSON_BODY, { optional });
  let value: unknown = {};
  if (text !== undefined) {
    if (exceedsNesting(text, MAX_JSON_NESTING)) {
      throw new InvalidInputError([{ path: '', message: `is nested deeper than ${MAX_JSON_NESTING} levels` }], 'The body is nested too deeply');
    }
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      throw new AppError('malformed', `The body is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    // "\u0000" and "\ud800" are valid JSON, but no statement can carry them: refused before any is run.
    const unstorable = findUnstorableText(value);
    if (unstorable !== undefined) {
      throw unstorableTextError(unstorable === '/' ? '' : unstorable, 'The request body');
    }
  }
  const result = validate(value);
  if (!result.ok) {
    throw new InvalidInputError(result.errors, 'The request body is invalid');
  }
  return result.value;
}
