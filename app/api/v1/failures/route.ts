import type { FailureList } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readQuery } from '@/lib/http/read-query';
import { failuresQuerySchema, validateFailuresQuery } from '@/lib/http/request-schemas';
import { groupFailures } from '@/lib/reads/group-failures';

export const dynamic = 'force-dynamic';

// GET /api/v1/failures: failed and stuck tasks grouped by template, failing step and error signature.
export const GET = handleRoute(async (request, { db }) => {
  const query = readQuery(request, failuresQuerySchema, validateFailuresQuery);
  const failures = await groupFailures(db, { namespace: query.namespace, name: query.name, stuckAfterMinutes: query.stuck_after_minutes });
  return Response.json(failures satisfies FailureList);
});
