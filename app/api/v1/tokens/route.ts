import type { ApiTokenList, CreatedApiToken } from '@/lib/api/types';
import { createApiToken } from '@/lib/auth/create-api-token';
import { listApiTokens } from '@/lib/auth/list-api-tokens';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// GET /api/v1/tokens: every API token, without secrets.
export const GET = handleRoute(operations.listTokens, async (_request, { db }) =>
  Response.json({ items: await listApiTokens(db) } satisfies ApiTokenList),
);

// POST /api/v1/tokens: create a named token with a role; the secret is in this answer only.
export const POST = handleRoute(operations.createToken, async (_request, { db, principal, body: { name, role } }) => {
  const created = await createApiToken(db, { name, role, actor: principal.actor });
  return Response.json(created satisfies CreatedApiToken, { status: 201 });
});
