import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import { createFailedSignups, saveSignupTemplate, snapshotState } from '../orchestrator/failure-fixtures';
import { callHandler, type CallOptions, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from './route-testing';
import { createRandom } from '../seeded-random';

/**
 * Thousands of malformed and hostile requests: wrong types, unknown and prototype-polluting keys, huge
 * strings and bodies, deep nesting, broken JSON and UTF-8, wrong content types, YAML bombs. Every one
 * must be refused with a 4xx in the error shape (no stack, no SQL), and none may write anything.
 */
const ADMIN_TOKEN = 'fuzz-admin-token-0123456789abcdef';
const CASES_PER_JSON_ROUTE = 220;
const CASES_PER_QUERY_ROUTE = 120;

type Case = { label: string; body: string | Uint8Array; headers: Record<string, string> };
type JsonTarget = { path: string; method: string; base: Record<string, unknown>; required: string[]; params?: Record<string, string>; anyValue?: string[] };

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'unknown_key', '', ' ', '$where', '../../etc/passwd', 'a'.repeat(300)];
const WEIRD_VALUES: unknown[] = [null, true, 0, -1, 1e308, -0.5, '', ' ', 'x'.repeat(20_000), [], [null], {}, { $gt: '' }, "'; drop table tasks; --", '\u0000\u202e', '{{7*7}}'];

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
      const value = pick(random, [42, -1, true, null, [1, 2], 'x'.repeat(70_000), { nested: { deep: 1 } }, ''].filter((v) => typeof v !== typeof body[field] || v === null));
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
      const field = pick(random, Object.keys(body).filter((key) => typeof body[key] === 'object' && body[key] !== null).concat(['x_']));
      const inner = field === 'x_' ? '{}' : JSON.stringify(body[field]);
      const polluted = inner.replace(/^\{/, '{"__proto__":{"polluted":true},').replace(/,\}$/, '}');
      const text = JSON.stringify(body).replace(JSON.stringify(body[field] ?? null), polluted === '{"__proto__":{"polluted":true},}' ? '{"__proto__":{"polluted":true}}' : polluted);
      return { label: `__proto__ inside ${field}`, body: field === 'x_' ? `{"__proto__":{"polluted":true},${JSON.stringify(body).slice(1)}` : text, headers: json };
    }
    case 4: {
      const depth = pick(random, [101, 150, 199, 201, 1000, 20_000]);
      const field = pick(random, Object.keys(body));
      const text = depth > 200 ? JSON.stringify({ ...body, unknown_: 0 }).replace('"unknown_":0', `"${field === 'unknown_' ? 'x' : 'deep_'}":${nestText(depth)}`) : JSON.stringify({ ...body, deep_: nest(1, depth, random) });
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
      const field = pick(random, ['reason', 'name', 'namespace', 'token', 'mode', 'idempotency_key'].filter((key) => key in body).concat(['reason_']));
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
      return { label: 'prototype key', body: VALID_TEMPLATE.replace('name: fuzz_template', `name: fuzz_template\n${pick(random, ['__proto__', 'constructor', 'prototype'])}: { polluted: true }`), headers: yaml };
    case 4:
      return { label: 'unknown top-level key', body: `${VALID_TEMPLATE}${pick(random, ['bogus', 'handler', 'steps', 'Name'])}: ${pick(random, ['1', 'x', '[]', '{}'])}\n`, headers: yaml };
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
      return { label: 'wrong content type', body: VALID_TEMPLATE, headers: pick<Record<string, string>>(random, [{ 'content-type': 'application/json' }, { 'content-type': 'text/plain' }, {}]) };
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
      { method: 'POST', path: '/api/v1/tasks', base: { namespace: 'tests', name: 'signup', context: { user_info: { email: 'new@example.com' } } }, required: ['name', 'context'] },
      { method: 'POST', path: '/api/v1/tasks/bulk/retry', base: { filter: { status: 'error' }, dry_run: false }, required: [] },
      { method: 'PATCH', path: '/api/v1/tasks/{taskId}/context', base: { context: { user_info: { email: 'new@example.com' } }, reason: 'fuzz' }, required: ['context', 'reason'], params: step },
      {
        method: 'POST',
        path: '/api/v1/tasks/{taskId}/steps/{step}/resolve',
        base: { results: { ok: true }, reason: 'fuzz' },
        required: ['results'],
        params: step,
        anyValue: ['results'],
      },
      { method: 'POST', path: '/api/v1/tasks/{taskId}/steps/{step}/skip', base: { reason: 'fuzz' }, required: [], params: step },
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
        const { status, text, label } = await send(target.method, target.path, hostile.label, { params: target.params, headers: hostile.headers, body: hostile.body });
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
      'limit=0', 'limit=501', 'limit=-1', 'limit=1.5', 'limit=abc', 'limit=99999999999999999999', 'status=bogus', 'status=error,,bogus',
      'step_status=done', 'created_after=yesterday', 'created_after=2026-02-30', 'created_before=2026-13-01T00:00:00Z', 'cursor=%00%01',
      `cursor=${'A'.repeat(300)}`, 'cursor=dDA', 'namespace=UPPER', `name=${'n'.repeat(200)}`, `q=${'q'.repeat(201)}`, 'unknown=1',
      'error_signature=xyz', 'limit=5&limit=6', '__proto__=1', 'constructor=1', 'stuck_after_minutes=0', 'failed_after=2026-02-30',
    ];
    for (let index = 0; index < CASES_PER_QUERY_ROUTE; index++) {
      const query = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, queries)).join('&');
      for (const path of ['/api/v1/tasks', '/api/v1/failures', '/api/v1/overview']) {
        const { status, text, label } = await send('GET', path, query, { query: `?${query}` });
        assertRefusal(label, status, text, problems);
      }
    }
    const badIds = ['0', '-1', 'abc', '1e3', '99999999999999999999', '../tasks', '%00', '１２', ' 1', '1 ', '0x10', 'null', 'NaN', '9007199254740993'];
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
