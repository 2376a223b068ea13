import type { ServiceList } from '@/lib/api/types';
import { resetDemoServices } from '@/lib/demo/reset-demo-services';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// POST /api/v1/services/reset: every demo service up, its records and counters cleared.
export const POST = handleRoute(operations.resetServices, async (_request, { db, runtime }) =>
  Response.json({ services: await resetDemoServices(db, runtime) } satisfies ServiceList),
);
