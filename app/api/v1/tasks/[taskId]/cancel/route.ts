import { cancelTask } from '@/lib/actions/cancel-task';
import type { TaskDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/cancel: cancel the task and its unfinished steps; 202, a running attempt stops shortly after.
export const POST = handleRoute(operations.cancelTask, async (_request, { db, params, principal, body }) => {
  const { taskId } = params;
  await cancelTask(db, { taskId, actor: principal.actor, reason: body.reason });
  return Response.json((await getTaskDetailOrThrow(db, taskId)) satisfies TaskDetail, { status: 202 });
});
