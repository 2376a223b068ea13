import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { CreatedApiToken, Session } from '../../lib/api/types';
import { E2E_ADMIN_TOKEN } from '../../playwright.config';
import { expectError } from '../api/http-api';

/**
 * The auth server (playwright.config.ts, project chromium-auth) runs with ADMIN_TOKEN set: every route
 * but health and sign-in needs a token, or the dashboard's session cookie.
 */
const SESSION_COOKIE = 'switchyard_session';
const ADMIN = { authorization: `Bearer ${E2E_ADMIN_TOKEN}` };

async function findSessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE);
}

async function signIn(page: Page, token: string) {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectSignedInAs(page: Page, { actor, role }: { actor: string; role: string }) {
  const chip = page.getByRole('navigation', { name: 'Main' }).locator('.session-chip');
  await expect(chip.getByTitle('who your actions are recorded as')).toHaveText(actor);
  await expect(chip.locator('.session-role')).toHaveText(role);
  await expect(chip.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByTestId('local-mode-banner')).toHaveCount(0);
  // The browser's session, as the server sees it.
  const session = await page.request.get('/api/v1/session');
  expect(session.status()).toBe(200);
  expect((await session.json()) as Session).toEqual({ mode: 'token', actor, role });
}

test('without a session or a valid token the API answers 401 (health aside), and nothing is written', async ({ request }) => {
  const health = await request.get('/api/v1/health');
  expect(health.status()).toBe(200);

  for (const path of ['/api/v1/session', '/api/v1/tasks', '/api/v1/templates', '/api/v1/tokens', '/api/v1/metrics']) {
    await expectError(await request.get(path), 401, 'unauthorized');
  }
  await expectError(await request.get('/api/v1/tasks', { headers: { authorization: 'Bearer syt_not-a-real-token' } }), 401, 'unauthorized');
  await expectError(await request.get('/api/v1/tasks', { headers: { cookie: `${SESSION_COOKIE}=not-a-session` } }), 401, 'unauthorized');

  const context = { user_info: { email: `nobody-${Date.now()}@example.com`, name: 'Nobody', plan: 'pro' } };
  await expectError(
    await request.post('/api/v1/tasks', { data: { namespace: 'blog_examples', name: 'user_registration', context } }),
    401,
    'unauthorized',
  );
  await expectError(await request.post('/api/v1/tokens', { data: { name: 'sneaky', role: 'admin' } }), 401, 'unauthorized');

  const refused = await request.post('/api/v1/session', { data: { token: 'syt_not-a-real-token' } });
  await expectError(refused, 401, 'unauthorized');
  expect(refused.headers()['set-cookie']).toBeUndefined();

  // Nothing was written: no task, no token.
  const tasks = await request.get('/api/v1/tasks?q=nobody-', { headers: ADMIN });
  expect(tasks.status()).toBe(200);
  expect(((await tasks.json()) as { items: unknown[] }).items).toEqual([]);
  const tokens = await request.get('/api/v1/tokens', { headers: ADMIN });
  expect(((await tokens.json()) as { items: { name: string }[] }).items.map((token) => token.name)).not.toContain('sneaky');
});

test('signing in: a wrong token is refused, the admin token lands on the page asked for, a named token shows who and what role, and signing out ends the session', async ({
  page,
  context,
  request,
}) => {
  // A visit without a session ends on the sign-in page, which remembers where the person was going.
  await page.goto('/tasks?status=error');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Ftasks%3Fstatus%3Derror$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Switchyard' })).toBeVisible();
  await expect(page.getByText('Paste an API token.')).toBeVisible();

  await signIn(page, 'syt_not-a-real-token');
  const error = page.getByRole('alert').filter({ hasText: 'Could not sign in' });
  await expect(error).toContainText('The token is not valid: it is unknown or was revoked');
  await expect(error).toContainText('401 unauthorized');
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  expect(await findSessionCookie(context)).toBeUndefined();
  expect((await page.request.get('/api/v1/session')).status()).toBe(401);
  await page.screenshot({ path: 'e2e/screenshots/sign-in.png', fullPage: true });

  await signIn(page, E2E_ADMIN_TOKEN);
  await expect(page).toHaveURL(/\/tasks\?status=error$/);
  await expect(page.getByTestId('empty-state')).toContainText('No task matches these filters');
  await expectSignedInAs(page, { actor: 'admin', role: 'admin' });
  const adminSession = await findSessionCookie(context);
  expect(adminSession).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });

  // The admin hands out a named token through the API.
  const name = `night-operator-${Date.now().toString(36)}`;
  const created = await request.post('/api/v1/tokens', { headers: ADMIN, data: { name, role: 'operator' } });
  expect(created.status(), await created.text()).toBe(201);
  const { token, secret } = (await created.json()) as CreatedApiToken;

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in(\?|$)/);
  await expect(page.getByRole('heading', { name: 'Sign in to Switchyard' })).toBeVisible();
  expect(await findSessionCookie(context)).toBeUndefined();
  await expectError(await page.request.get('/api/v1/tasks'), 401, 'unauthorized');
  // The session ended on the server, not only in this browser: its cookie, replayed, is refused.
  await expectError(await request.get('/api/v1/tasks', { headers: { cookie: `${SESSION_COOKIE}=${adminSession!.value}` } }), 401, 'unauthorized');

  await page.goto('/templates');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Ftemplates$/);
  await signIn(page, secret);
  await expect(page).toHaveURL(/\/templates$/);
  await expect(page.getByTestId('template-row').first()).toBeVisible();
  await expectSignedInAs(page, { actor: name, role: 'operator' });

  // Revoking the token ends its session at once: the next read sends the browser back to sign in.
  const revoked = await request.delete(`/api/v1/tokens/${token.id}`, { headers: ADMIN });
  expect(revoked.status(), await revoked.text()).toBe(200);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=%2Ftasks$/);
  await signIn(page, secret);
  await expect(page.getByRole('alert').filter({ hasText: 'Could not sign in' })).toContainText('The token is not valid');
});

test('after signing in, the page asked for is always one of ours, however the next parameter is written', async ({ page, baseURL }) => {
  // Stands in for another site, which cannot be reached from here.
  await page.route(
    (url) => url.hostname === 'example.com',
    (route) => route.fulfill({ contentType: 'text/html', body: '<h1>Another site</h1>' }),
  );
  for (const next of ['//example.com/', '/\\example.com/', '/\t/example.com/', 'https://example.com/']) {
    await test.step(`next=${JSON.stringify(next)}`, async () => {
      await page.context().clearCookies();
      await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
      await signIn(page, E2E_ADMIN_TOKEN);
      await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
      expect(new URL(page.url()).origin, `next=${JSON.stringify(next)} led to ${page.url()}`).toBe(new URL(baseURL!).origin);
    });
  }
});

test('a viewer signed in with a real token reads everything, sees repairs disabled with the reason, and the server refuses them too', async ({
  page,
  request,
}) => {
  const name = `night-viewer-${Date.now().toString(36)}`;
  const created = await request.post('/api/v1/tokens', { headers: ADMIN, data: { name, role: 'viewer' } });
  expect(created.status(), await created.text()).toBe(201);
  const { secret } = (await created.json()) as CreatedApiToken;
  // This server runs no orchestrator: the task stays open, its first step ready.
  const started = await request.post('/api/v1/tasks', {
    headers: ADMIN,
    data: { namespace: 'e2e_api', name: 'api_always_fails', context: { order_id: 9, run: name } },
  });
  expect(started.status(), await started.text()).toBe(201);
  const task = (await started.json()) as { id: string };

  await page.goto(`/tasks/${task.id}?step=reserve`);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await signIn(page, secret);
  await expect(page).toHaveURL(new RegExp(`/tasks/${task.id}\\?step=reserve$`));
  await expectSignedInAs(page, { actor: name, role: 'viewer' });
  const panel = page.getByTestId('step-panel');
  await expect(panel.getByRole('button', { name: 'Cancel task…' })).toBeDisabled();
  await expect(panel.getByTestId('permission-note')).toContainText("Your role (viewer) can't");

  // The button is only the courtesy: the server refuses the viewer's cancel, and nothing changes.
  const refused = await expectError(
    await page.request.post(`/api/v1/tasks/${task.id}/cancel`, { data: { reason: 'viewer tries' } }),
    403,
    'forbidden',
  );
  expect(refused.message).toContain('needs the operator role');
  const after = await request.get(`/api/v1/tasks/${task.id}`, { headers: ADMIN });
  expect(((await after.json()) as { status: string }).status).toBe('pending');
});

test('after five wrong tokens from one address the server answers 429 with Retry-After, the right token too, and other addresses go on', async ({
  request,
}) => {
  // As a proxy in front of the server would name the caller; a new address on each run (and retry).
  const guesser = { 'x-forwarded-for': `2001:db8::${Math.floor(Math.random() * 0xffff).toString(16)}:${Date.now().toString(16).slice(-4)}` };
  for (let i = 0; i < 5; i += 1) {
    await expectError(await request.post('/api/v1/session', { headers: guesser, data: { token: `syt_guess-${i}` } }), 401, 'unauthorized');
  }
  const refused = await request.post('/api/v1/session', { headers: guesser, data: { token: E2E_ADMIN_TOKEN } });
  const error = await expectError(refused, 429, 'rate_limited');
  expect(error.message).toMatch(/^Too many failed sign-ins or wrong tokens from your address; try again in \d+ s$/);
  expect(Number(refused.headers()['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(refused.headers()['set-cookie']).toBeUndefined();
  await expectError(await request.get('/api/v1/tasks', { headers: { ...guesser, authorization: `Bearer ${E2E_ADMIN_TOKEN}` } }), 429, 'rate_limited');

  expect((await request.get('/api/v1/tasks', { headers: ADMIN })).status()).toBe(200);
});
