import type { ServiceList } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { validateEmptyBody } from '@/lib/http/request-schemas';
import { resetDemoServices } from '@/lib/demo/reset-demo-services';

export const dynamic = 'force-dynamic';

// POST /api/v1/services/reset: every demo service up, its records and counters cleared.
export const POST = handleRoute(
  async (request, { db, runtime }) => {
    await readJsonBody(request, validateEmptyBody, { optional: true });
    return Response.json({ services: await resetDemoServices(db, runtime) } satisfies ServiceList);
  },
  { role: 'operator' },
);
