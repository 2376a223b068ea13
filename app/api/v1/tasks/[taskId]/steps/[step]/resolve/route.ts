import { resolveStep } from '@/lib/actions/resolve-step';
import type { TaskDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/steps/{step}/resolve: resolve the step by hand with {results, reason}; its dependents run.
export const POST = handleRoute(operations.resolveStep, async (_request, { db, params, principal, body: { results, reason } }) => {
  const { taskId } = params;
  await resolveStep(db, { taskId, step: params.step, results, actor: principal.actor, reason });
  return Response.json((await getTaskDetailOrThrow(db, taskId)) satisfies TaskDetail);
});
