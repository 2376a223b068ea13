import { constructFromEvents, EVENT_ID, getScalarValue, JSON_SCHEMA, parseEvents, YAMLException, type Event } from 'js-yaml';
import type { ErrorDetail } from '../errors';
import { joinPointer } from '../validation';

export const MAX_TEMPLATE_BYTES = 1024 * 1024;
const MAX_TEMPLATE_DEPTH = 64;

/** JSON Pointer path → 1-based line of the key (in a mapping) or of the item (in a sequence). */
export type YamlLineMap = ReadonlyMap<string, number>;

export type ParsedTemplateYaml = { ok: true; value: unknown; lines: YamlLineMap } | { ok: false; errors: ErrorDetail[] };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// The tags JSON_SCHEMA resolves anyway; writing them out changes nothing, so they are harmless.
const ALLOWED_TAGS = new Set(['!!str', '!!int', '!!float', '!!bool', '!!null', '!!map', '!!seq']);
const JSON_VALUES = 'only JSON values (strings, numbers, booleans, null, lists and mappings) are allowed';

type Frame = { kind: 'sequence'; path: string; nextIndex: number } | { kind: 'mapping'; path: string; expectingKey: boolean; valuePath: string };

type NodeEvent = Exclude<Event, { type: typeof EVENT_ID.DOCUMENT | typeof EVENT_ID.POP }>;

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) {
    starts.push(index + 1);
  }
  return starts;
}

function lineAt(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return low + 1;
}

function startOf(event: NodeEvent): number {
  const starts =
    event.type === EVENT_ID.ALIAS
      ? [event.anchorStart]
      : [event.anchorStart, event.tagStart, event.type === EVENT_ID.SCALAR ? event.valueStart : event.start];
  const present = starts.filter((offset) => offset >= 0);
  return present.length > 0 ? Math.min(...present) : 0;
}

/** Line of `path`, or of its nearest ancestor that has one (a missing key is reported on its parent's line). */
export function findLine(lines: YamlLineMap, path: string): number | undefined {
  for (let current = path; ; current = current.slice(0, current.lastIndexOf('/'))) {
    const line = lines.get(current);
    if (line !== undefined) {
      return line;
    }
    if (current === '') {
      return undefined;
    }
  }
}

/**
 * Walks the parser's events: builds the line map, and refuses what a template must not contain
 * (anchors and aliases, tags other than JSON's, prototype keys, complex keys, several documents).
 */
function inspectEvents(
  text: string,
  events: readonly Event[],
): { lines: Map<string, number>; offsets: { offset: number; path: string }[]; errors: ErrorDetail[] } {
  const lineStarts = computeLineStarts(text);
  const lines = new Map<string, number>();
  const offsets: { offset: number; path: string }[] = [];
  const errors: ErrorDetail[] = [];
  const stack: Frame[] = [];
  let documents = 0;
  let anchorsReported = false;

  const record = (path: string, offset: number) => {
    if (!lines.has(path)) {
      lines.set(path, lineAt(lineStarts, offset));
    }
    offsets.push({ offset, path });
  };

  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      documents += 1;
      if (documents === 2) {
        errors.push({ path: '', message: 'a template is one YAML document; remove the second `---`' });
      }
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    const parent = stack.at(-1);
    const start = startOf(event);
    const line = lineAt(lineStarts, start);
    let path: string;
    if (parent?.kind === 'mapping' && parent.expectingKey) {
      if (event.type !== EVENT_ID.SCALAR) {
        errors.push({ path: parent.path, message: 'mapping keys must be plain strings', line });
        return { lines, offsets, errors };
      }
      const key = getScalarValue(text, event);
      path = joinPointer(parent.path, key);
      record(path, start);
      if (FORBIDDEN_KEYS.has(key)) {
        errors.push({ path, message: `key '${key}' is not allowed`, line });
      }
      parent.expectingKey = false;
      parent.valuePath = path;
    } else if (parent?.kind === 'mapping') {
      path = parent.valuePath;
      parent.expectingKey = true;
      offsets.push({ offset: start, path });
    } else if (parent?.kind === 'sequence') {
      path = joinPointer(parent.path, parent.nextIndex);
      parent.nextIndex += 1;
      record(path, start);
    } else {
      path = '';
      record(path, start);
    }

    if ((event.type === EVENT_ID.ALIAS || event.anchorStart >= 0) && !anchorsReported) {
      anchorsReported = true;
      errors.push({ path, message: 'YAML anchors and aliases are not allowed; write the value out', line });
    }
    if (event.type !== EVENT_ID.ALIAS && event.tagStart >= 0) {
      const tag = text.slice(event.tagStart, event.tagEnd);
      if (!ALLOWED_TAGS.has(tag)) {
        errors.push({ path, message: `YAML tag '${tag}' is not allowed: ${JSON_VALUES}`, line });
      }
    }
    if (event.type === EVENT_ID.MAPPING) {
      stack.push({ kind: 'mapping', path, expectingKey: true, valuePath: path });
    } else if (event.type === EVENT_ID.SEQUENCE) {
      stack.push({ kind: 'sequence', path, nextIndex: 0 });
    }
  }
  if (documents === 0) {
    errors.push({ path: '', message: 'the template is empty', line: 1 });
  }
  return { lines, offsets, errors };
}

function pathAtOffset(offsets: readonly { offset: number; path: string }[], offset: number): string {
  let path = '';
  for (const entry of offsets) {
    if (entry.offset > offset) {
      break;
    }
    path = entry.path;
  }
  return path;
}

function describeYamlError(error: unknown, offsets: readonly { offset: number; path: string }[]): ErrorDetail {
  if (error instanceof YAMLException) {
    const reason = error.reason.startsWith('unknown') && error.reason.includes('tag') ? `${error.reason}: ${JSON_VALUES}` : error.reason;
    const mark = error.mark;
    if (!mark) {
      return { path: '', message: `YAML: ${reason}` };
    }
    return { path: pathAtOffset(offsets, mark.position), message: `YAML: ${reason}`, line: mark.line + 1 };
  }
  return { path: '', message: `YAML: ${error instanceof Error ? error.message : String(error)}` };
}

/**
 * Parses a template's YAML into plain JSON values (no dates, no custom tags, no anchors), and maps every
 * JSON Pointer path to its line, so later validation errors can point at the source.
 */
export function parseTemplateYaml(text: string, options: { filename?: string } = {}): ParsedTemplateYaml {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_TEMPLATE_BYTES) {
    return { ok: false, errors: [{ path: '', message: `the template is ${bytes} bytes; the limit is ${MAX_TEMPLATE_BYTES} (1 MiB)` }] };
  }
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: MAX_TEMPLATE_DEPTH, ...(options.filename ? { filename: options.filename } : {}) });
  } catch (error) {
    return { ok: false, errors: [describeYamlError(error, [])] };
  }
  const { lines, offsets, errors } = inspectEvents(text, events);
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  try {
    // maxAliases: 0 repeats the anchor check above, in case the two ever disagree.
    const [value] = constructFromEvents(events, {
      source: text,
      schema: JSON_SCHEMA,
      maxAliases: 0,
      ...(options.filename ? { filename: options.filename } : {}),
    });
    return { ok: true, value, lines };
  } catch (error) {
    return { ok: false, errors: [describeYamlError(error, offsets)] };
  }
}
