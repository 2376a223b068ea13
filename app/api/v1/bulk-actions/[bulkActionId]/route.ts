import type { BulkActionProgress } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getBulkActionProgressOrThrow } from '@/lib/reads/get-bulk-action-progress';

export const dynamic = 'force-dynamic';

// GET /api/v1/bulk-actions/{bulkActionId}: where the tasks of a bulk action are now (done, failed, still waiting) and what holds them back.
export const GET = handleRoute(operations.getBulkActionProgress, async (_request, { db, params }) =>
  Response.json((await getBulkActionProgressOrThrow(db, params.bulkActionId)) satisfies BulkActionProgress),
);
