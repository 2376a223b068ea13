import { compensateTask } from '@/lib/actions/compensate-task';
import type { CompensateTaskResult } from '@/lib/api/types';
import { InvalidInputError } from '@/lib/errors';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/compensate: undo the completed steps of a task in error or cancelled; dry_run lists them.
export const POST = handleRoute(operations.compensateTask, async (_request, { db, params, principal, body }) => {
  const dryRun = body.dry_run ?? false;
  if (!dryRun && body.reason === undefined) {
    throw new InvalidInputError([{ path: '/reason', message: 'is required: say why the task is compensated (recorded in the audit trail)' }]);
  }
  const result = await compensateTask(db, { taskId: params.taskId, dryRun, actor: principal.actor, reason: body.reason });
  return Response.json(result satisfies CompensateTaskResult);
});
