import type { ServiceInfo } from '@/lib/api/types';
import { setDemoServiceMode } from '@/lib/demo/set-demo-service-mode';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// POST /api/v1/services/{name}/mode: make a demo service misbehave (down, slow, flaky, rate_limited, reject) or behave (up).
export const POST = handleRoute(operations.setServiceMode, async (_request, { db, runtime, params, body }) =>
  Response.json((await setDemoServiceMode(db, runtime, params.name, body)) satisfies ServiceInfo),
);
