import type { Overview } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { readOverview } from '@/lib/reads/read-overview';

export const dynamic = 'force-dynamic';

// GET /api/v1/overview: exact figures of every task for the overview page (counts, last 24 h per hour, failed, waiting, stuck).
export const GET = handleRoute(operations.getOverview, async (_request, { db, runtime }) =>
  Response.json((await readOverview(db, { stuckAfterSeconds: runtime.env.stuckAfterSeconds })) satisfies Overview),
);
