/** At most this many bytes of JSON per task in a list: a page of 50 stays small whatever the contexts hold. */
export const CONTEXT_PREVIEW_MAX_BYTES = 1536;
/** Strings longer than this are cut, with an ellipsis. */
export const CONTEXT_PREVIEW_MAX_STRING = 100;
/** Levels of objects and arrays kept below the context itself. */
const MAX_DEPTH = 4;

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function cutString(text: string): string {
  if (text.length <= CONTEXT_PREVIEW_MAX_STRING) {
    return text;
  }
  let end = CONTEXT_PREVIEW_MAX_STRING;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) {
    end -= 1;
  }
  return `${text.slice(0, end)}…`;
}

/** Drops the objects and arrays that were not empty but got nothing in, so none reads as empty. */
function pruneHollow(preview: Container, source: Container): void {
  for (const [key, value] of Object.entries(preview)) {
    const original = (source as Record<string, unknown>)[key];
    if (isContainer(value) && isContainer(original)) {
      pruneHollow(value, original);
      if (Object.keys(value).length === 0 && Object.keys(original).length > 0) {
        if (Array.isArray(preview)) {
          preview.length = Number(key);
          return;
        }
        delete preview[key];
      }
    }
  }
}

/**
 * A bounded copy of a task's context for task lists: at most CONTEXT_PREVIEW_MAX_BYTES of JSON, strings
 * cut at CONTEXT_PREVIEW_MAX_STRING characters, 4 levels deep. Filled level by level, shallow values
 * first, so an e-mail under `user_info` survives a large payload next to it. `truncated` says whether
 * anything was left out or cut; the whole context is GET /tasks/{id}'s.
 */
export function previewContext(context: Record<string, unknown>): { context: Record<string, unknown>; truncated: boolean } {
  const preview: Record<string, unknown> = {};
  let used = 2;
  let truncated = false;
  const queue: { source: Container; target: Container; depth: number }[] = [{ source: context, target: preview, depth: 1 }];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { source, target, depth } = next;
    for (const [key, value] of Object.entries(source)) {
      const keyBytes = Array.isArray(target) ? 1 : byteLength(key) + 2;
      let item: unknown;
      if (isContainer(value)) {
        if (depth >= MAX_DEPTH) {
          truncated = true;
          continue;
        }
        item = Array.isArray(value) ? [] : {};
      } else {
        item = typeof value === 'string' ? cutString(value) : value;
        truncated ||= item !== value;
      }
      const bytes = keyBytes + byteLength(item);
      // An array keeps its order: once an item does not fit, the rest are left out too.
      if (used + bytes > CONTEXT_PREVIEW_MAX_BYTES) {
        truncated = true;
        if (Array.isArray(target)) {
          break;
        }
        continue;
      }
      used += bytes;
      if (Array.isArray(target)) {
        target.push(item);
      } else {
        // Defined, not assigned: a key named __proto__ stays a key.
        Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true });
      }
      if (isContainer(value)) {
        queue.push({ source: value, target: item as Container, depth: depth + 1 });
      }
    }
  }
  pruneHollow(preview, context);
  return { context: preview, truncated };
}
