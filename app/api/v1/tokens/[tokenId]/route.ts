import { revokeApiToken } from '@/lib/auth/revoke-api-token';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// DELETE /api/v1/tokens/{tokenId}: revoke a token and end the sessions opened with it.
export const DELETE = handleRoute<{ tokenId: string }>(async (_request, { db, params }) => Response.json(await revokeApiToken(db, params.tokenId)), {
  role: 'admin',
});
