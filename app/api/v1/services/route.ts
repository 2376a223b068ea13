import type { ServiceList } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { listServices } from '@/lib/reads/list-services';

export const dynamic = 'force-dynamic';

// GET /api/v1/services: every service with its URL, circuit, queued steps and (demo services) behaviour.
export const GET = handleRoute(operations.listServices, async (_request, { db, runtime }) =>
  Response.json({ services: await listServices(db, runtime) } satisfies ServiceList),
);
