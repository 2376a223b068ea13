import { retryStep } from '@/lib/actions/retry-step';
import type { TaskDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/steps/{step}/retry: the step back to ready with a fresh round of attempts.
export const POST = handleRoute(operations.retryStep, async (_request, { db, params, principal, body }) => {
  const { taskId } = params;
  await retryStep(db, { taskId, step: params.step, actor: principal.actor, reason: body.reason });
  return Response.json((await getTaskDetailOrThrow(db, taskId)) satisfies TaskDetail);
});
