import { bulkRetryTasks } from '@/lib/actions/bulk-retry-tasks';
import type { BulkRetryResult } from '@/lib/api/types';
import { InvalidInputError } from '@/lib/errors';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/bulk/retry: retry the error steps of many tasks, by filter or ids; dry_run only counts.
export const POST = handleRoute(operations.bulkRetryTasks, async (_request, { db, principal, body }) => {
  if ((body.filter === undefined) === (body.ids === undefined)) {
    throw new InvalidInputError([{ path: '', message: 'give either filter (the filters of GET /tasks) or ids, not both' }]);
  }
  const who = { actor: principal.actor, reason: body.reason, dryRun: body.dry_run };
  const result = body.ids
    ? await bulkRetryTasks(db, { ids: body.ids.map(Number), ...who })
    : await bulkRetryTasks(db, { filter: body.filter ?? {}, ...who });
  return Response.json(result satisfies BulkRetryResult);
});
