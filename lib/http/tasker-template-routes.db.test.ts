import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import type { ApiErrorBody, SavedTemplateVersion, TemplateValidationResult } from '../api/types';
import { callHandler, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';

/** Tasker's blog example through the routes the studio calls: the notices come back with their lines (issue 17). */
const ADMIN_TOKEN = 'tasker-template-routes-admin-token-0123456789';
const testRuntime = registerRouteTestRuntime();
const BLOG = readFileSync(path.resolve('lib/templates/fixtures/tasker/user_registration_handler.yaml'), 'utf8');

/** The 1-based line of the first line of the blog example that contains `needle`. */
function lineOf(needle: string): number {
  const index = BLOG.split('\n').findIndex((line) => line.includes(needle));
  expect(index, needle).toBeGreaterThanOrEqual(0);
  return index + 1;
}

const EXPECTED_NOTICES = [
  { path: '/task_handler_class', line: lineOf('task_handler_class:'), message: expect.stringMatching(/^accepted, has no effect here: /) },
  {
    path: '/step_templates/0/handler_class',
    line: lineOf('CreateUserAccountHandler'),
    message: "BlogExamples::Post03::StepHandlers::CreateUserAccountHandler → handler 'registration.create_user_account' (one of its aliases)",
  },
  {
    path: '/step_templates/0/handler_config/url',
    line: lineOf("url: 'https://api.userservice.com'"),
    message: "calls service 'user', which answers for https://api.userservice.com",
  },
];

describeEachDatabase('Tasker templates through POST /templates/validate and POST /templates', (suite) => {
  async function post(route: 'validate' | 'save', yaml: string) {
    const file = route === 'validate' ? 'app/api/v1/templates/validate/route.ts' : 'app/api/v1/templates/route.ts';
    const { POST } = await loadRouteHandlers(path.resolve(file));
    const apiPath = route === 'validate' ? '/api/v1/templates/validate' : '/api/v1/templates';
    const response = await callHandler(POST!, 'POST', apiPath, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/yaml' },
      body: yaml,
    });
    return { status: response.status, body: (await response.json()) as TemplateValidationResult & SavedTemplateVersion & ApiErrorBody };
  }

  async function savedVersions() {
    const [row] = await queryRows<{ count: number }>(suite.database.db, sql`select count(*)::int as count from template_versions`);
    return row?.count ?? 0;
  }

  it('validate answers the notices with their lines next to no errors', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const { status, body } = await post('validate', BLOG);
    expect(status).toBe(200);
    expect(body.valid).toBe(true);
    expect(body.errors).toEqual([]);
    expect(body.notices).toEqual(expect.arrayContaining(EXPECTED_NOTICES));
    expect(body.notices.every((notice) => typeof notice.line === 'number')).toBe(true);
    expect(await savedVersions()).toBe(0);
  });

  it('save answers 201 with the notices, then 200 with the same notices for the same content', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const before = await savedVersions();
    const first = await post('save', BLOG);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ namespace: 'blog_examples', name: 'user_registration', version: '1.1.0', created: true });
    expect(first.body.notices).toEqual(expect.arrayContaining(EXPECTED_NOTICES));
    const again = await post('save', BLOG);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(again.body.notices).toEqual(first.body.notices);
    expect(await savedVersions()).toBe(before + 1);
  });

  it('a Tasker URL no service answers for is refused at its line on both routes, and nothing is saved', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const yaml = BLOG.replace("url: 'https://api.userservice.com'\n\n", "url: 'https://users.internal.example'\n\n");
    const error = {
      path: '/step_templates/0/handler_config/url',
      line: lineOf("url: 'https://api.userservice.com'"),
      message: expect.stringContaining('set SERVICE_USER_ALIASES=https://users.internal.example'),
    };
    const checked = await post('validate', yaml);
    expect(checked.status).toBe(200);
    expect(checked.body.valid).toBe(false);
    expect(checked.body.errors).toEqual([error]);
    expect(checked.body.notices).toEqual(expect.arrayContaining([EXPECTED_NOTICES[0]]));
    const before = await savedVersions();
    const refused = await post('save', yaml);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'invalid_template', details: [error] });
    expect(await savedVersions()).toBe(before);
  });
});
