import { rerunStep } from '@/lib/actions/rerun-step';
import type { TaskDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/steps/{step}/rerun: run a finished step again (and, with downstream, what follows it).
export const POST = handleRoute(operations.rerunStep, async (_request, { db, params, principal, body }) => {
  const { taskId } = params;
  await rerunStep(db, { taskId, step: params.step, downstream: body.downstream ?? false, actor: principal.actor, reason: body.reason });
  return Response.json((await getTaskDetailOrThrow(db, taskId)) satisfies TaskDetail);
});
