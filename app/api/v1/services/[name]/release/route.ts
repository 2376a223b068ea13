import { releaseService } from '@/lib/actions/release-service';
import type { ServiceInfo } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// POST /api/v1/services/{name}/release: ends the hold; the waiting steps start again, spread out.
export const POST = handleRoute(operations.releaseService, async (_request, { db, runtime, params, principal, body }) =>
  Response.json((await releaseService(db, runtime, { service: params.name, reason: body?.reason, actor: principal.actor })) satisfies ServiceInfo),
);
