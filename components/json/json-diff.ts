export type JsonChange =
  | { kind: 'added'; path: string; after: unknown }
  | { kind: 'removed'; path: string; before: unknown }
  | { kind: 'changed'; path: string; before: unknown; after: unknown };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${parent}[${key}]`;
  }
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Every leaf-level difference between two JSON values, with a dotted path (`user_info.email`,
 * `items[2]`). Objects are compared key by key; arrays of different length compare index by index.
 */
export function diffJson(before: unknown, after: unknown, path = ''): JsonChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      const nextPath = childPath(path, key);
      if (!(key in after)) {
        return [{ kind: 'removed' as const, path: nextPath, before: before[key] }];
      }
      if (!(key in before)) {
        return [{ kind: 'added' as const, path: nextPath, after: after[key] }];
      }
      return diffJson(before[key], after[key], nextPath);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) => {
      const nextPath = childPath(path, index);
      if (index >= after.length) {
        return [{ kind: 'removed' as const, path: nextPath, before: before[index] }];
      }
      if (index >= before.length) {
        return [{ kind: 'added' as const, path: nextPath, after: after[index] }];
      }
      return diffJson(before[index], after[index], nextPath);
    }).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) {
    return [];
  }
  return [{ kind: 'changed', path: path || '(root)', before, after }];
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string; line?: number; column?: number };

/** Parses editor text, with the line and column of a syntax error when the engine gives its position. */
export function parseJsonText(text: string): JsonParseResult {
  if (!text.trim()) {
    return { ok: false, message: 'Enter a JSON value' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    if (position?.[1]) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset).split('\n');
      return { ok: false, message, line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
    }
    return { ok: false, message };
  }
}
