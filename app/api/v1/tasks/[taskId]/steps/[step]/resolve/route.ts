import type { TaskDetail } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { validateResolveStepBody } from '@/lib/http/request-schemas';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';
import { resolveStep } from '@/lib/actions/resolve-step';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/steps/{step}/resolve: resolve the step by hand with {results, reason}; its dependents run.
export const POST = handleRoute<{ taskId: string; step: string }>(
  async (request, { db, params, principal }) => {
    const { results, reason } = await readJsonBody(request, validateResolveStepBody);
    await resolveStep(db, { taskId: params.taskId, step: params.step, results, actor: principal.actor, reason });
    return Response.json((await getTaskDetailOrThrow(db, params.taskId)) satisfies TaskDetail);
  },
  { role: 'operator' },
);
