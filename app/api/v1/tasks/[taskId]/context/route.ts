import { editTaskContext } from '@/lib/actions/edit-task-context';
import type { TaskDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// PATCH /api/v1/tasks/{taskId}/context: replace the context of a task in error (recorded with a diff), then retry its failed steps.
export const PATCH = handleRoute(operations.editTaskContext, async (_request, { db, params, principal, body: { context, reason } }) => {
  const task = await editTaskContext(db, { taskId: params.taskId, context, reason, actor: principal.actor });
  return Response.json(task satisfies TaskDetail);
});
