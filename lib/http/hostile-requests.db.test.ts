import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import { createRandom } from '../seeded-random';
import { MAX_TEMPLATE_STEPS } from '../templates/validate-template';
import { createFailedSignups, saveSignupTemplate, snapshotState } from '../testing/failure-fixtures';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime, type CallOptions } from '../testing/route-testing';

/**
 * Thousands of malformed and hostile requests: wrong types, unknown and prototype-polluting keys, huge
 * strings and bodies, deep nesting, broken JSON and UTF-8, wrong content types, YAML bombs. Every one
 * must be refused with a 4xx in the error shape (no stack, no SQL), and none may write anything.
 */
const ADMIN_TOKEN = 'fuzz-admin-token-0123456789abcdef';
const CASES_PER_JSON_ROUTE = 220;
const CASES_PER_QUERY_ROUTE = 120;

type Case = { label: string; body: string | Uint8Array; headers: Record<string, string> };
type JsonTarget = {
  path: string;
  method: string;
  base: Record<string, unknown>;
  required: string[];
  params?: Record<string, string>;
  anyValue?: string[];
};

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'unknown_key', '', ' ', '$where', '../../etc/passwd', 'a'.repeat(300)];
const WEIRD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -0.5,
  '',
  ' ',
  'x'.repeat(20_000),
  [],
  [null],
  {},
  { $gt: '' },
  "'; drop table tasks; --",
  '\u0000\u202e',
  '{{7*7}}',
];

function nest(value: unknown, depth: number, random: () => number): unknown {
  let current = value;
  for (let level = 0; level < depth; level++) {
    current = random() < 0.5 ? [current] : { n: current };
  }
  return current;
}

function nestText(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A body that is refused for sure: at least one breaker that no schema here accepts. */
function hostileJsonCase(target: JsonTarget, random: () => number): Case {
  const json = { 'content-type': 'application/json' };
  const body: Record<string, unknown> = structuredClone(target.base);
  const kind = Math.floor(random() * 12);
  switch (kind) {
    case 0: {
      const key = pick(random, HOSTILE_KEYS);
      const text = JSON.stringify(body).replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(pick(random, WEIRD_VALUES))},`);
      return { label: `unknown key ${key.slice(0, 20)}`, body: text, headers: json };
    }
    case 1: {
      const typed = Object.keys(body).filter((key) => !(target.anyValue ?? []).includes(key));
      if (typed.length === 0) {
        return { label: 'number body', body: '42', headers: json };
      }
      const field = pick(random, typed);
      const value = pick(
        random,
        [42, -1, true, null, [1, 2], 'x'.repeat(70_000), { nested: { deep: 1 } }, ''].filter((v) => typeof v !== typeof body[field] || v === null),
      );
      const text = JSON.stringify({ ...body, [field]: value });
      return { label: `wrong type at ${field}`, body: text, headers: json };
    }
    case 2: {
      if (target.required.length === 0) {
        return { label: 'array body', body: JSON.stringify([body]), headers: json };
      }
      const field = pick(random, target.required);
      delete body[field];
      return { label: `missing ${field}`, body: JSON.stringify(body), headers: json };
    }
    case 3: {
      const field = pick(
        random,
        Object.keys(body)
          .filter((key) => typeof body[key] === 'object' && body[key] !== null)
          .concat(['x_']),
      );
      const inner = field === 'x_' ? '{}' : JSON.stringify(body[field]);
      const polluted = inner.replace(/^\{/, '{"__proto__":{"polluted":true},').replace(/,\}$/, '}');
      const text = JSON.stringify(body).replace(
        JSON.stringify(body[field] ?? null),
        polluted === '{"__proto__":{"polluted":true},}' ? '{"__proto__":{"polluted":true}}' : polluted,
      );
      return {
        label: `__proto__ inside ${field}`,
        body: field === 'x_' ? `{"__proto__":{"polluted":true},${JSON.stringify(body).slice(1)}` : text,
        headers: json,
      };
    }
    case 4: {
      const depth = pick(random, [101, 150, 199, 201, 1000, 20_000]);
      const field = pick(random, Object.keys(body));
      const text =
        depth > 200
          ? JSON.stringify({ ...body, unknown_: 0 }).replace('"unknown_":0', `"${field === 'unknown_' ? 'x' : 'deep_'}":${nestText(depth)}`)
          : JSON.stringify({ ...body, deep_: nest(1, depth, random) });
      return { label: `nested ${depth} deep`, body: text, headers: json };
    }
    case 5: {
      const text = JSON.stringify(body);
      const candidates = [
        text.slice(0, Math.max(1, Math.floor(random() * text.length) - 1)),
        text.replace(/}$/, ',}'),
        text.replace(/"/g, "'"),
        `${text}${text}`,
        text.replace(/:/, ':NaN,"x":'),
        `\u0000${text}`,
        'undefined',
        '{',
        '[',
        '"',
      ].filter((candidate) => {
        try {
          JSON.parse(candidate);
          return false;
        } catch {
          return true;
        }
      });
      return { label: 'malformed JSON', body: pick(random, candidates), headers: json };
    }
    case 6: {
      const headers = pick<Record<string, string>>(random, [
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/x-www-form-urlencoded' },
        { 'content-type': 'multipart/form-data; boundary=x' },
        { 'content-type': 'application/json; charset=latin1' },
        { 'content-type': 'application/yaml' },
        { 'content-type': 'json' },
        {},
      ]);
      return { label: `content type ${JSON.stringify(headers)}`, body: JSON.stringify(body), headers };
    }
    case 7: {
      const size = 1024 * 1024 + 1 + Math.floor(random() * 2048);
      const text = JSON.stringify({ ...body, padding: 'p'.repeat(size) });
      const lie = pick(random, [undefined, '10', String(text.length)]);
      return { label: `oversized (${lie ?? 'no'} length)`, body: text, headers: { ...json, ...(lie ? { 'content-length': lie } : {}) } };
    }
    case 8: {
      const bytes = new TextEncoder().encode(JSON.stringify(body));
      const broken = new Uint8Array(bytes.length + 2);
      broken.set(bytes);
      broken.set([0xc3, 0x28], Math.floor(random() * bytes.length));
      return { label: 'invalid UTF-8', body: broken, headers: json };
    }
    case 9:
      return { label: 'not an object', body: JSON.stringify(pick(random, [[], 'text', 12, null, true, [body]])), headers: json };
    case 10: {
      const field = pick(
        random,
        ['reason', 'name', 'namespace', 'token', 'mode', 'idempotency_key'].filter((key) => key in body).concat(['reason_']),
      );
      return { label: `long ${field}`, body: JSON.stringify({ ...body, [field]: 'r'.repeat(5000 + Math.floor(random() * 50_000)) }), headers: json };
    }
    default: {
      const noise = Object.fromEntries(Array.from({ length: 1 + Math.floor(random() * 50) }, (_, i) => [`k${i}`, pick(random, WEIRD_VALUES)]));
      return { label: 'unknown keys', body: JSON.stringify({ ...body, ...noise }), headers: json };
    }
  }
}

const VALID_TEMPLATE = `name: fuzz_template
namespace_name: fuzz
version: 1.0.0
step_templates:
  - name: a
    handler: test.noop
  - name: b
    handler: test.noop
    depends_on_steps: [a]
`;

function billionLaughs(levels: number): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < levels; level++) {
    const previous = String.fromCharCode(96 + level);
    const name = String.fromCharCode(97 + level);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }
  return `${VALID_TEMPLATE}${lines.join('\n')}\n`;
}

function hostileYamlCase(random: () => number): Case {
  const yaml = { 'content-type': pick(random, ['application/yaml', 'text/yaml', 'application/x-yaml']) };
  const kind = Math.floor(random() * 12);
  switch (kind) {
    case 0:
      return { label: 'billion laughs', body: billionLaughs(2 + Math.floor(random() * 8)), headers: yaml };
    case 1: {
      const depth = pick(random, [65, 500, 5000, 50_000]);
      return { label: `flow nesting ${depth}`, body: `${VALID_TEMPLATE}schema: ${'['.repeat(depth)}${']'.repeat(depth)}\n`, headers: yaml };
    }
    case 2:
      return {
        label: 'tags',
        body: `${VALID_TEMPLATE}description: ${pick(random, ['!!js/function "function(){}"', '!!binary aGVsbG8=', '!foo bar', '!!timestamp 2001-12-14', '!!js/regexp /x/', '!!python/object:os.system ls'])}\n`,
        headers: yaml,
      };
    case 3:
      return {
        label: 'prototype key',
        body: VALID_TEMPLATE.replace(
          'name: fuzz_template',
          `name: fuzz_template\n${pick(random, ['__proto__', 'constructor', 'prototype'])}: { polluted: true }`,
        ),
        headers: yaml,
      };
    case 4:
      return {
        label: 'unknown top-level key',
        body: `${VALID_TEMPLATE}${pick(random, ['bogus', 'handler', 'steps', 'Name'])}: ${pick(random, ['1', 'x', '[]', '{}'])}\n`,
        headers: yaml,
      };
    case 5:
      return { label: 'two documents', body: `${VALID_TEMPLATE}---\n${VALID_TEMPLATE}`, headers: yaml };
    case 6:
      return { label: 'huge', body: `${VALID_TEMPLATE}description: "${'d'.repeat(1024 * 1024)}"\n`, headers: yaml };
    case 7: {
      const bytes = new TextEncoder().encode(VALID_TEMPLATE);
      bytes[Math.floor(random() * bytes.length)] = 0xff;
      return { label: 'invalid UTF-8', body: bytes, headers: yaml };
    }
    case 8:
      return {
        label: 'wrong content type',
        body: VALID_TEMPLATE,
        headers: pick<Record<string, string>>(random, [{ 'content-type': 'application/json' }, { 'content-type': 'text/plain' }, {}]),
      };
    case 9: {
      const steps = 1 + Math.floor(random() * 3000);
      const body = `name: fuzz_big\nversion: 1.0.0\nstep_templates:\n${Array.from({ length: steps }, (_, i) => `  - name: s${i}\n    handler: no.such.handler\n    depends_on_steps: [s${(i + 1) % steps}]\n`).join('')}`;
      return { label: `${steps} steps in a cycle`, body, headers: yaml };
    }
    case 10:
      return {
        label: 'garbage',
        body: pick(random, ['', ':', '- - -', '{', '"', '\t\tx', 'name: [', '&a [*a]', '? [a]\n: b', 'x: *undefined_alias', `${'a: 1\n'.repeat(3)}`]),
        headers: yaml,
      };
    default: {
      const [from, to] = pick(random, [
        ['1.0.0', pick(random, ['1.0', '~', '.inf', '0x1F', '01.0.0', '[1]'])],
        ['test.noop', pick(random, ['no.such', '~', '42', '[x]', '""'])],
        ['fuzz_template', pick(random, ['UPPER', '"a b"', '-1', '~', '""'])],
        ['[a]', pick(random, ['[zzz]', '[b]', 'a', '[[a]]', '42'])],
      ] as const);
      return { label: `bad value ${to}`, body: VALID_TEMPLATE.replace(from, to), headers: yaml };
    }
  }
}

function assertRefusal(label: string, status: number, text: string, problems: string[]) {
  if (status < 400 || status >= 500) {
    problems.push(`${label}: answered ${status}: ${text.slice(0, 200)}`);
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    problems.push(`${label}: ${status} without a JSON body`);
    return;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string' || !Array.isArray(error.details)) {
    problems.push(`${label}: ${status} not in the error shape: ${text.slice(0, 200)}`);
    return;
  }
  if (/\n\s+at |node_modules|\bselect\b.*\bfrom\b|\binsert into\b/i.test(text)) {
    problems.push(`${label}: ${status} leaks internals: ${text.slice(0, 300)}`);
  }
}

const testRuntime = registerRouteTestRuntime();

describeEachDatabase('hostile requests', (suite) => {
  it('refuses every one with a 4xx in the error shape, and writes nothing', async () => {
    const { database } = suite;
    const runtime = await testRuntime.start(database, { adminToken: ADMIN_TOKEN, demoServices: true });
    await saveSignupTemplate(database);
    const [failed] = (await createFailedSignups(database, ['fuzz@example.com'], testRuntime.orchestrators)).map(String);
    const before = await snapshotState(database);
    const demoBefore = JSON.stringify(runtime.demoServices?.state.summarize());
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const routes = new Map(await Promise.all(listRouteFiles().map(async (route) => [route.path, await loadRouteHandlers(route.file)] as const)));
    const random = createRandom(20_261_129);
    const problems: string[] = [];
    let sent = 0;

    const send = async (method: string, path: string, label: string, options: CallOptions) => {
      const handler = routes.get(path)?.[method as 'GET'];
      if (!handler) {
        throw new Error(`no ${method} ${path}`);
      }
      const response = await callHandler(handler, method, path, { ...options, headers: { ...auth, ...options.headers } });
      const text = await response.text();
      sent += 1;
      return { status: response.status, text, label: `${method} ${path} [${label}]` };
    };

    const step = { taskId: failed!, step: 'billing' };
    const jsonTargets: JsonTarget[] = [
      {
        method: 'POST',
        path: '/api/v1/tasks',
        base: { namespace: 'tests', name: 'signup', context: { user_info: { email: 'new@example.com' } } },
        required: ['name', 'context'],
      },
      { method: 'POST', path: '/api/v1/tasks/bulk/retry', base: { filter: { status: 'error' }, dry_run: false }, required: [] },
      {
        method: 'PATCH',
        path: '/api/v1/tasks/{taskId}/context',
        base: { context: { user_info: { email: 'new@example.com' } }, reason: 'fuzz' },
        required: ['context', 'reason'],
        params: step,
      },
      {
        method: 'POST',
        path: '/api/v1/tasks/{taskId}/steps/{step}/resolve',
        base: { results: { ok: true }, reason: 'fuzz' },
        required: ['results', 'reason'],
        params: step,
        anyValue: ['results'],
      },
      { method: 'POST', path: '/api/v1/tasks/{taskId}/steps/{step}/skip', base: { reason: 'fuzz' }, required: ['reason'], params: step },
      { method: 'POST', path: '/api/v1/tasks/{taskId}/steps/{step}/retry', base: { reason: 'fuzz' }, required: [], params: step },
      { method: 'POST', path: '/api/v1/tasks/{taskId}/retry', base: { reason: 'fuzz' }, required: [], params: step },
      { method: 'POST', path: '/api/v1/tasks/{taskId}/cancel', base: { reason: 'fuzz' }, required: [], params: step },
      { method: 'POST', path: '/api/v1/tokens', base: { name: 'fuzz', role: 'viewer' }, required: ['name', 'role'] },
      { method: 'POST', path: '/api/v1/session', base: { token: 'not-a-token' }, required: ['token'] },
      { method: 'POST', path: '/api/v1/services/{name}/mode', base: { mode: 'down' }, required: ['mode'], params: { name: 'billing' } },
      { method: 'POST', path: '/api/v1/services/reset', base: {}, required: [] },
    ];
    for (const target of jsonTargets) {
      for (let index = 0; index < CASES_PER_JSON_ROUTE; index++) {
        const hostile = hostileJsonCase(target, random);
        const { status, text, label } = await send(target.method, target.path, hostile.label, {
          params: target.params,
          headers: hostile.headers,
          body: hostile.body,
        });
        assertRefusal(label, status, text, problems);
      }
    }
    for (let index = 0; index < 300; index++) {
      const hostile = hostileYamlCase(random);
      const saved = await send('POST', '/api/v1/templates', hostile.label, { headers: hostile.headers, body: hostile.body });
      assertRefusal(saved.label, saved.status, saved.text, problems);
      const checked = await send('POST', '/api/v1/templates/validate', hostile.label, { headers: hostile.headers, body: hostile.body });
      if (checked.status >= 500 || (checked.status === 200 && (JSON.parse(checked.text) as { valid: boolean }).valid)) {
        problems.push(`${checked.label}: answered ${checked.status}: ${checked.text.slice(0, 200)}`);
      }
    }

    const queries = [
      'limit=0',
      'limit=501',
      'limit=-1',
      'limit=1.5',
      'limit=abc',
      'limit=99999999999999999999',
      'status=bogus',
      'status=error,,bogus',
      'step_status=done',
      'created_after=yesterday',
      'created_after=2026-02-30',
      'created_before=2026-13-01T00:00:00Z',
      'cursor=%00%01',
      `cursor=${'A'.repeat(300)}`,
      'cursor=dDA',
      'namespace=UPPER',
      `name=${'n'.repeat(200)}`,
      `q=${'q'.repeat(201)}`,
      'unknown=1',
      'error_signature=xyz',
      'limit=5&limit=6',
      '__proto__=1',
      'constructor=1',
      'stuck_after_minutes=0',
      'failed_after=2026-02-30',
    ];
    for (let index = 0; index < CASES_PER_QUERY_ROUTE; index++) {
      const query = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, queries)).join('&');
      for (const path of ['/api/v1/tasks', '/api/v1/failures', '/api/v1/overview']) {
        const { status, text, label } = await send('GET', path, query, { query: `?${query}` });
        assertRefusal(label, status, text, problems);
      }
    }
    const badIds = [
      '0',
      '-1',
      'abc',
      '1e3',
      '99999999999999999999',
      '../tasks',
      '%00',
      '１２',
      ' 1',
      '1 ',
      '0x10',
      'null',
      'NaN',
      '9007199254740993',
    ];
    for (const id of badIds) {
      for (const path of ['/api/v1/tasks/{taskId}', '/api/v1/tasks/{taskId}/transitions', '/api/v1/tasks/{taskId}/events']) {
        const { status, text, label } = await send('GET', path, id, { params: { taskId: id } });
        if (status !== 404) {
          problems.push(`${label}: expected 404, got ${status}`);
        }
        assertRefusal(label, status, text, problems);
      }
      const cancel = await send('POST', '/api/v1/tasks/{taskId}/cancel', id, { params: { taskId: id } });
      assertRefusal(cancel.label, cancel.status, cancel.text, problems);
      const revoke = await send('DELETE', '/api/v1/tokens/{tokenId}', id, { params: { tokenId: id } });
      assertRefusal(revoke.label, revoke.status, revoke.text, problems);
    }

    expect(problems.slice(0, 30)).toEqual([]);
    expect(sent).toBeGreaterThan(3000);
    expect(await snapshotState(database)).toBe(before);
    expect(JSON.stringify(runtime.demoServices?.state.summarize())).toBe(demoBefore);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describeEachDatabase('text PostgreSQL cannot store', (suite) => {
  it('is refused with a 422 naming the field, in bodies, keys, query strings, path parameters and templates, and nothing is written', async () => {
    const { database } = suite;
    await testRuntime.start(database, { adminToken: ADMIN_TOKEN });
    await saveSignupTemplate(database);
    const [failed] = (await createFailedSignups(database, ['stored@example.com'], testRuntime.orchestrators)).map(String);
    const before = await snapshotState(database);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const routes = new Map(await Promise.all(listRouteFiles().map(async (route) => [route.path, await loadRouteHandlers(route.file)] as const)));
    // Built by hand: encodeURIComponent (callHandler) throws on half a surrogate pair, and Next.js hands routes decoded parameters.
    const send = async (
      method: string,
      path: string,
      {
        params = {},
        query = '',
        body,
        headers = {},
      }: { params?: Record<string, string>; query?: string; body?: string; headers?: Record<string, string> },
    ) => {
      const handler = routes.get(path)?.[method as 'GET'];
      if (!handler) {
        throw new Error(`no ${method} ${path}`);
      }
      const request = new Request(`http://127.0.0.1:3210/api/v1/x${query}`, { method, headers: { ...auth, ...headers }, body });
      const response = await handler(request, { params: Promise.resolve(params) });
      return { status: response.status, body: (await response.json()) as { error?: { code: string; details: { path: string; message: string }[] } } };
    };
    const json = { 'content-type': 'application/json' };
    const yaml = { 'content-type': 'application/yaml' };
    const task = { taskId: failed!, step: 'billing' };
    const signup = (userInfo: Record<string, unknown>) =>
      JSON.stringify({ namespace: 'tests', name: 'signup', context: { user_info: { email: 'new@example.com', ...userInfo } } });
    const cases: {
      label: string;
      method: string;
      path: string;
      expected: string;
      code?: string;
      params?: Record<string, string>;
      query?: string;
      body?: string;
      headers?: Record<string, string>;
    }[] = [
      {
        label: 'NUL in a context string',
        method: 'POST',
        path: '/api/v1/tasks',
        body: signup({ name: 'Ann\u0000' }),
        headers: json,
        expected: '/context/user_info/name',
      },
      {
        label: 'lone high surrogate in a context string',
        method: 'POST',
        path: '/api/v1/tasks',
        body: signup({ name: 'Ann \ud83d' }),
        headers: json,
        expected: '/context/user_info/name',
      },
      {
        label: 'lone low surrogate in a context key',
        method: 'POST',
        path: '/api/v1/tasks',
        body: signup({ 'na\udc00me': 'Ann' }),
        headers: json,
        expected: '/context/user_info/na\ufffdme',
      },
      {
        label: 'NUL in a context key',
        method: 'POST',
        path: '/api/v1/tasks',
        body: signup({ 'a\u0000': 1 }),
        headers: json,
        expected: '/context/user_info/a\ufffd',
      },
      {
        label: 'NUL in the idempotency key',
        method: 'POST',
        path: '/api/v1/tasks',
        body: JSON.stringify({ namespace: 'tests', name: 'signup', context: {}, idempotency_key: 'k\u0000' }),
        headers: json,
        expected: '/idempotency_key',
      },
      {
        label: 'NUL in a context edit',
        method: 'PATCH',
        path: '/api/v1/tasks/{taskId}/context',
        params: task,
        body: JSON.stringify({ context: { user_info: { email: 'x@example.com', note: '\u0000' } }, reason: 'fix' }),
        headers: json,
        expected: '/context/user_info/note',
      },
      {
        label: 'NUL in a reason',
        method: 'POST',
        path: '/api/v1/tasks/{taskId}/retry',
        params: task,
        body: JSON.stringify({ reason: 'because\u0000' }),
        headers: json,
        expected: '/reason',
      },
      {
        label: 'surrogate in resolved results',
        method: 'POST',
        path: '/api/v1/tasks/{taskId}/steps/{step}/resolve',
        params: task,
        body: JSON.stringify({ results: { list: ['ok', '\udfff'] }, reason: 'by hand' }),
        headers: json,
        expected: '/results/list/1',
      },
      {
        label: 'NUL in a token name',
        method: 'POST',
        path: '/api/v1/tokens',
        body: JSON.stringify({ name: 'ci\u0000', role: 'viewer' }),
        headers: json,
        expected: '/name',
      },
      { label: 'NUL in the search', method: 'GET', path: '/api/v1/tasks', query: '?q=%00', expected: 'query.q' },
      { label: 'NUL in a filter', method: 'GET', path: '/api/v1/tasks', query: '?status=error&namespace=te%00sts', expected: 'query.namespace' },
      { label: 'NUL in a parameter name', method: 'GET', path: '/api/v1/failures', query: '?na%00me=x', expected: 'query.na\ufffdme' },
      { label: 'NUL in the overview query', method: 'GET', path: '/api/v1/overview', query: '?x=%00', expected: 'query.x' },
      {
        label: 'NUL in a step name',
        method: 'GET',
        path: '/api/v1/tasks/{taskId}/steps/{step}/attempts',
        params: { taskId: failed!, step: 'bill\u0000ing' },
        expected: 'path.step',
      },
      {
        label: 'surrogate in a step name',
        method: 'POST',
        path: '/api/v1/tasks/{taskId}/steps/{step}/skip',
        params: { taskId: failed!, step: '\ud800' },
        expected: 'path.step',
      },
      { label: 'NUL in a task id', method: 'GET', path: '/api/v1/tasks/{taskId}', params: { taskId: '1\u0000' }, expected: 'path.taskId' },
      {
        label: 'NUL in a template name',
        method: 'GET',
        path: '/api/v1/templates/{namespace}/{name}',
        params: { namespace: 'tests', name: 'sign\u0000up' },
        expected: 'path.name',
      },
      {
        label: 'NUL in a service name',
        method: 'POST',
        path: '/api/v1/services/{name}/mode',
        params: { name: 'bil\u0000ling' },
        body: JSON.stringify({ mode: 'down' }),
        headers: json,
        expected: 'path.name',
      },
      {
        label: 'a YAML escape making NUL',
        method: 'POST',
        path: '/api/v1/templates',
        body: 'name: bad_text\nversion: 1.0.0\ndescription: "a\\0b"\nstep_templates:\n  - name: a\n    handler: test.noop\n',
        headers: yaml,
        expected: '/description',
        code: 'invalid_template',
      },
      {
        label: 'a YAML escape making half a surrogate pair',
        method: 'POST',
        path: '/api/v1/templates',
        body: 'name: bad_text\nversion: 1.0.0\nstep_templates:\n  - name: a\n    handler: test.noop\n    handler_config: { result: "\\udc00" }\n',
        headers: yaml,
        expected: '/step_templates/0/handler_config/result',
        code: 'invalid_template',
      },
    ];
    const problems: string[] = [];
    for (const { label, method, path, expected, code = 'invalid_input', ...options } of cases) {
      const { status, body } = await send(method, path, options);
      const paths = body.error?.details.map((detail) => detail.path) ?? [];
      if (status !== 422 || body.error?.code !== code || !paths.includes(expected)) {
        problems.push(`${label}: ${method} ${path} answered ${status} ${JSON.stringify(body).slice(0, 300)}`);
      }
    }
    expect(problems).toEqual([]);
    const validated = await send('POST', '/api/v1/templates/validate', {
      body: 'name: bad_text\nversion: 1.0.0\ndescription: "\\0"\nstep_templates:\n  - name: a\n    handler: test.noop\n',
      headers: yaml,
    });
    expect(validated.body).toMatchObject({ valid: false, errors: [{ path: '/description', line: 3 }] });
    expect(await snapshotState(database)).toBe(before);
  });

  it(`refuses a template of more than ${MAX_TEMPLATE_STEPS.toLocaleString('en-US')} steps, saying how many it may have`, async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const routes = await loadRouteHandlers(listRouteFiles().find((route) => route.path === '/api/v1/templates')!.file);
    const steps = Array.from({ length: MAX_TEMPLATE_STEPS + 1 }, (_, index) => `- {name: s${index}, handler: test.noop}`).join('\n');
    const response = await callHandler(routes.POST!, 'POST', '/api/v1/templates', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/yaml' },
      body: `name: too_big\nversion: 1.0.0\nstep_templates:\n${steps}\n`,
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { details: { path: string; message: string }[] } };
    expect(body.error.details).toContainEqual(
      expect.objectContaining({ path: '/step_templates', message: expect.stringMatching(/has 10,001 steps; a template may have at most 10,000/) }),
    );
  });
});
