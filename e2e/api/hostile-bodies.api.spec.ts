import { expect, test } from '@playwright/test';
import type { ApiTokenList, TaskList, TemplateList } from '../../lib/api/types';
import { createFailedTask, NAMESPACE, newRun } from './http-api';

/**
 * Hostile requests through the real server (Next.js included): never a 5xx, always the error shape,
 * and nothing written. The large fuzz run (thousands of bodies, every table counted) is
 * lib/http/hostile-requests.db.test.ts.
 */
test('refuses malformed and hostile bodies without a 5xx and without writing anything', async ({ request }) => {
  const run = newRun();
  const failed = await createFailedTask(request, run);
  const state = async () => {
    const tasks = (await (await request.get('/api/v1/tasks', { params: { limit: 500 } })).json()) as TaskList;
    const templates = (await (await request.get('/api/v1/templates')).json()) as TemplateList;
    const tokens = (await (await request.get('/api/v1/tokens')).json()) as ApiTokenList;
    const task = await (await request.get(`/api/v1/tasks/${failed.id}`)).text();
    return JSON.stringify({
      tasks: tasks.items.map((item) => [item.id, item.status, item.updated_at]),
      templates: templates.items.map((item) => item.versions),
      tokens: tokens.items.length,
      task,
    });
  };
  const before = await state();
  const json = { 'content-type': 'application/json' };
  const bodies: { data: string | Buffer; headers: Record<string, string> }[] = [
    { data: '', headers: json },
    { data: '{', headers: json },
    { data: 'null', headers: json },
    { data: '[]', headers: json },
    { data: '"x"', headers: json },
    { data: '{"__proto__": {"polluted": true}}', headers: json },
    { data: '{"constructor": {"prototype": {"polluted": true}}}', headers: json },
    { data: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000), headers: json },
    { data: '['.repeat(100_000) + ']'.repeat(100_000), headers: json },
    { data: JSON.stringify({ reason: 'x'.repeat(2 * 1024 * 1024) }), headers: json },
    { data: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), headers: json },
    { data: '{"reason": "ok"}', headers: { 'content-type': 'text/html' } },
    { data: '{"reason": "ok"}', headers: { 'content-type': 'application/json; charset=utf-16' } },
    { data: '{"reason": 1e999}', headers: json },
    { data: '{"reason": "ok", "reason": 5}', headers: json },
    { data: '{"unknown": 1}', headers: json },
  ];
  const targets = [
    ['POST', '/api/v1/tasks'],
    ['POST', '/api/v1/tasks/bulk/retry'],
    ['PATCH', `/api/v1/tasks/${failed.id}/context`],
    ['POST', `/api/v1/tasks/${failed.id}/retry`],
    ['POST', `/api/v1/tasks/${failed.id}/cancel`],
    ['POST', `/api/v1/tasks/${failed.id}/steps/charge/resolve`],
    ['POST', `/api/v1/tasks/${failed.id}/steps/charge/skip`],
    ['POST', `/api/v1/tasks/${failed.id}/steps/charge/retry`],
    ['POST', '/api/v1/tokens'],
    ['POST', '/api/v1/services/billing/mode'],
  ] as const;
  const problems: string[] = [];
  for (const [method, path] of targets) {
    for (const body of bodies) {
      if (body.data === '' && /retry$|cancel$/.test(path)) {
        continue; // an empty body is a valid "no reason given" there (skip and resolve require a reason)
      }
      const response = await request.fetch(path, {
        method,
        data: typeof body.data === 'string' ? Buffer.from(body.data) : body.data,
        headers: body.headers,
      });
      const text = await response.text();
      let shaped = false;
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; details?: unknown[] } };
        shaped = typeof parsed.error?.code === 'string' && Array.isArray(parsed.error.details);
      } catch {
        shaped = false;
      }
      if (response.status() < 400 || response.status() >= 500 || !shaped) {
        problems.push(`${method} ${path} ${String(body.data).slice(0, 40)} → ${response.status()} ${text.slice(0, 120)}`);
      }
    }
  }
  const yaml = { 'content-type': 'application/yaml' };
  const templates = [
    `name: bomb\nversion: 1.0.0\nstep_templates: [{name: a, handler: test.noop}]\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n`,
    `name: deep\nversion: 1.0.0\nschema: ${'['.repeat(20_000)}${']'.repeat(20_000)}\nstep_templates: [{name: a, handler: test.noop}]\n`,
    `name: tagged\nversion: 1.0.0\ndescription: !!js/function "function () { return 1 }"\nstep_templates: [{name: a, handler: test.noop}]\n`,
    `name: proto\nversion: 1.0.0\n__proto__: {polluted: true}\nstep_templates: [{name: a, handler: test.noop}]\n`,
    `name: ${NAMESPACE}\nversion: 1.0.0\nstep_templates: [{name: a, handler: test.noop, depends_on_steps: [a]}]\n`,
  ];
  for (const body of templates) {
    const response = await request.post('/api/v1/templates', { headers: yaml, data: body });
    if (response.status() !== 422) {
      problems.push(`POST /api/v1/templates ${body.slice(0, 30)} → ${response.status()} ${(await response.text()).slice(0, 120)}`);
    }
  }
  expect(problems).toEqual([]);
  expect(await state()).toBe(before);
  await request.post('/api/v1/services/reset');
});
