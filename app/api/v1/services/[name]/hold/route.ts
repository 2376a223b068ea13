import { holdService } from '@/lib/actions/hold-service';
import type { ServiceInfo } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// POST /api/v1/services/{name}/hold: no step of the service starts (or spends an attempt) until it is released.
export const POST = handleRoute(operations.holdService, async (_request, { db, runtime, params, principal, body }) =>
  Response.json((await holdService(db, runtime, { service: params.name, reason: body.reason, actor: principal.actor })) satisfies ServiceInfo),
);
