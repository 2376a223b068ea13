import { bulkTaskAction } from '@/lib/actions/bulk-task-action';
import type { BulkActionResult } from '@/lib/api/types';
import { InvalidInputError } from '@/lib/errors';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/bulk/cancel: cancel many tasks, by filter or ids, each in its own transaction; dry_run only counts.
export const POST = handleRoute(operations.bulkCancelTasks, async (_request, { db, principal, body }) => {
  if ((body.filter === undefined) === (body.ids === undefined)) {
    throw new InvalidInputError([{ path: '', message: 'give either filter (the filters of GET /tasks) or ids, not both' }]);
  }
  const who = { action: 'cancel' as const, actor: principal.actor, reason: body.reason, dryRun: body.dry_run };
  const result = body.ids
    ? await bulkTaskAction(db, { ids: body.ids.map(Number), ...who })
    : await bulkTaskAction(db, { filter: body.filter ?? {}, ...who });
  return Response.json(result satisfies BulkActionResult);
});
