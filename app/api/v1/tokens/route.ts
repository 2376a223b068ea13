import type { ApiTokenList, CreatedApiToken } from '@/lib/api/types';
import { createApiToken } from '@/lib/auth/create-api-token';
import { listApiTokens } from '@/lib/auth/list-api-tokens';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { validateCreateTokenBody } from '@/lib/http/request-schemas';

export const dynamic = 'force-dynamic';

// GET /api/v1/tokens: every API token, without secrets.
export const GET = handleRoute(async (_request, { db }) => Response.json({ items: await listApiTokens(db) } satisfies ApiTokenList), { role: 'admin' });

// POST /api/v1/tokens: create a named token with a role; the secret is in this answer only.
export const POST = handleRoute(
  async (request, { db, principal }) => {
    const { name, role } = await readJsonBody(request, validateCreateTokenBody);
    const created = await createApiToken(db, { name, role, actor: principal.actor });
    return Response.json(created satisfies CreatedApiToken, { status: 201 });
  },
  { role: 'admin' },
);
