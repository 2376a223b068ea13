import type { FailureList } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { groupFailures } from '@/lib/reads/group-failures';

export const dynamic = 'force-dynamic';

// GET /api/v1/failures: failed and stuck tasks grouped by template, failing step and error signature, and steps waiting on a service.
export const GET = handleRoute(operations.listFailures, async (_request, { db, query, runtime }) => {
  const stuckAfterSeconds = query.stuck_after_minutes === undefined ? runtime.env.stuckAfterSeconds : query.stuck_after_minutes * 60;
  const failures = await groupFailures(db, { namespace: query.namespace, name: query.name, stuckAfterSeconds });
  return Response.json(failures satisfies FailureList);
});
