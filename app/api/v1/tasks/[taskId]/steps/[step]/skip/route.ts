import { skipStep } from '@/lib/actions/skip-step';
import type { TaskDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/steps/{step}/skip: skip a step whose template allows it; its dependents run.
export const POST = handleRoute(operations.skipStep, async (_request, { db, params, principal, body }) => {
  const { taskId } = params;
  await skipStep(db, { taskId, step: params.step, actor: principal.actor, reason: body.reason });
  return Response.json((await getTaskDetailOrThrow(db, taskId)) satisfies TaskDetail);
});
