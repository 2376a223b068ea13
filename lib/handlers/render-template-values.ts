import { PermanentError } from '../errors';

/**
 * Values a template may refer to from `handler_config` (the `http` handler's `path` and `body`).
 *
 * Syntax: `{{ <root>.<key>.<key>[<index>] }}`, with these roots:
 *   `context.…`               the task's context (after schema defaults)
 *   `results.<step_name>.…`   the results of a step this step depends on
 *   `task.id`, `task.namespace`, `task.name`, `task.version`
 *   `step.id`, `step.name`
 *   `attempt`                 the attempt number, from 1
 * A string that is exactly one reference (`"{{ context.user_info }}"`) becomes the referenced value
 * itself, of any JSON type. References inside other text are interpolated: strings as they are,
 * numbers, booleans and null as text, objects and arrays as JSON. Only values are rendered, never keys.
 * A reference to a value that does not exist fails the step for good (`template_reference`): a
 * retry would see the same context and results. There is no escape for a literal `{{`.
 */
export type TemplateScope = {
  context: Record<string, unknown>;
  results: Record<string, unknown>;
  task: { id: string; namespace?: string; name?: string; version?: string };
  step: { id?: string; name: string };
  attempt: number;
};

export type TemplateReference = { root: TemplateRoot; segments: (string | number)[] };
type TemplateRoot = 'context' | 'results' | 'task' | 'step' | 'attempt';

export type RenderTemplateOptions = {
  /** Where the value sits in handler_config, for error messages (e.g. `handler_config.body`). */
  location?: string;
  /** Applied to each interpolated piece of text, e.g. encodeURIComponent for a URL path. */
  encodeInterpolated?: (text: string) => string;
};

const TEMPLATE_ROOTS: readonly TemplateRoot[] = ['context', 'results', 'task', 'step', 'attempt'];
const WHOLE_REFERENCE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const EMBEDDED_REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SEGMENT = /\.([A-Za-z0-9_-]+)|\[(\d+)\]/y;
const ROOT = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Returns a copy of `value` with every `{{ … }}` reference replaced. Throws PermanentError('template_reference'). */
export function renderTemplateValues(value: unknown, scope: TemplateScope, options: RenderTemplateOptions = {}): unknown {
  return renderValue(value, scope, options.location ?? 'value', options.encodeInterpolated);
}

function renderValue(value: unknown, scope: TemplateScope, location: string, encode: ((text: string) => string) | undefined): unknown {
  if (typeof value === 'string') {
    return renderString(value, scope, location, encode);
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => renderValue(item, scope, `${location}[${index}]`, encode));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, scope, `${location}.${key}`, encode)]));
  }
  return value;
}

function renderString(text: string, scope: TemplateScope, location: string, encode: ((text: string) => string) | undefined): unknown {
  const whole = WHOLE_REFERENCE.exec(text);
  if (whole && !encode) {
    return resolveReference(whole[1] ?? '', scope, location);
  }
  return text.replace(EMBEDDED_REFERENCE, (_match, expression: string) => {
    const piece = formatInterpolated(resolveReference(expression, scope, location));
    return encode ? encode(piece) : piece;
  });
}

function formatInterpolated(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    return JSON.stringify(value);
  }
  return String(value);
}

function resolveReference(expression: string, scope: TemplateScope, location: string): unknown {
  const reference = parseTemplateReference(expression, location);
  let current: unknown = scope[reference.root];
  const walked: string[] = [reference.root];
  for (const segment of reference.segments) {
    const next = readChild(current, segment);
    if (next === undefined) {
      throw new PermanentError(
        `${location}: {{ ${expression.trim()} }} refers to a missing value (${walked.join('.')} has no ${
          typeof segment === 'number' ? `[${segment}]` : `"${segment}"`
        })`,
        { errorCode: 'template_reference' },
      );
    }
    walked.push(typeof segment === 'number' ? `[${segment}]` : segment);
    current = next;
  }
  if (current === undefined) {
    throw new PermanentError(`${location}: {{ ${expression.trim()} }} refers to a missing value`, {
      errorCode: 'template_reference',
    });
  }
  return current;
}

/** Own properties and array items only, so `constructor` or `__proto__` never resolve to anything. */
function readChild(value: unknown, segment: string | number): unknown {
  if (Array.isArray(value)) {
    const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : undefined;
    return index === undefined ? undefined : (value[index] as unknown);
  }
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, segment)) {
    return (value as Record<string, unknown>)[String(segment)];
  }
  return undefined;
}

/** Parses the inside of `{{ … }}`. Throws PermanentError('template_reference') on bad syntax or an unknown root. */
export function parseTemplateReference(expression: string, location = 'value'): TemplateReference {
  const trimmed = expression.trim();
  const fail = (reason: string) =>
    new PermanentError(`${location}: {{ ${trimmed} }} is not a valid reference: ${reason}`, {
      errorCode: 'template_reference',
    });
  const rootMatch = ROOT.exec(trimmed);
  const root = rootMatch?.[0];
  if (!root || !(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
    throw fail(`it must start with one of ${TEMPLATE_ROOTS.join(', ')}`);
  }
  const segments: (string | number)[] = [];
  SEGMENT.lastIndex = root.length;
  while (SEGMENT.lastIndex < trimmed.length) {
    const match = SEGMENT.exec(trimmed);
    if (!match) {
      throw fail('use .key or [index] after the root');
    }
    segments.push(match[1] ?? Number(match[2]));
  }
  return { root: root as TemplateRoot, segments };
}

/** Every `{{ … }}` inside `value`, with where it sits, e.g. for checking `results.<step>` against dependencies. */
export function listTemplateReferences(value: unknown, location = 'value'): { location: string; expression: string }[] {
  if (typeof value === 'string') {
    return [...value.matchAll(EMBEDDED_REFERENCE)].map((match) => ({ location, expression: (match[1] ?? '').trim() }));
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => listTemplateReferences(item, `${location}[${index}]`));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => listTemplateReferences(item, `${location}.${key}`));
  }
  return [];
}
