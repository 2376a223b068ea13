import type { ServiceInfo } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { validateServiceModeBody } from '@/lib/http/request-schemas';
import { setDemoServiceMode } from '@/lib/demo/set-demo-service-mode';

export const dynamic = 'force-dynamic';

// POST /api/v1/services/{name}/mode: make a demo service misbehave (down, slow, flaky, rate_limited, reject) or behave (up).
export const POST = handleRoute<{ name: string }>(
  async (request, { db, runtime, params }) => {
    const settings = await readJsonBody(request, validateServiceModeBody);
    return Response.json((await setDemoServiceMode(db, runtime, params.name, settings)) satisfies ServiceInfo);
  },
  { role: 'operator' },
);
