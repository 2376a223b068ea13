import type { ApiTokenInfo } from '@/lib/api/types';
import { revokeApiToken } from '@/lib/auth/revoke-api-token';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// DELETE /api/v1/tokens/{tokenId}: revoke a token and end the sessions opened with it.
export const DELETE = handleRoute(operations.revokeToken, async (_request, { db, params }) =>
  Response.json((await revokeApiToken(db, params.tokenId)) satisfies ApiTokenInfo),
);
