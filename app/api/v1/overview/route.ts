import type { Overview } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readQuery } from '@/lib/http/read-query';
import { overviewQuerySchema, validateOverviewQuery } from '@/lib/http/request-schemas';
import { readOverview } from '@/lib/reads/read-overview';

export const dynamic = 'force-dynamic';

// GET /api/v1/overview: exact figures of every task for the overview page (counts, last 24 h per hour, failed, waiting, stuck).
export const GET = handleRoute(async (request, { db }) => {
  readQuery(request, overviewQuerySchema, validateOverviewQuery);
  return Response.json((await readOverview(db)) satisfies Overview);
});
