import { retryTask } from '@/lib/actions/retry-task';
import type { TaskDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/retry: every error step of the task back to ready.
export const POST = handleRoute(operations.retryTask, async (_request, { db, params, principal, body }) => {
  const { taskId } = params;
  await retryTask(db, { taskId, actor: principal.actor, reason: body.reason });
  return Response.json((await getTaskDetailOrThrow(db, taskId)) satisfies TaskDetail);
});
