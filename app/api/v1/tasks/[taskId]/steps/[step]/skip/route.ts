import type { TaskDetail } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { validateActionBody } from '@/lib/http/request-schemas';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';
import { skipStep } from '@/lib/actions/skip-step';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/steps/{step}/skip: skip a step whose template allows it; its dependents run.
export const POST = handleRoute<{ taskId: string; step: string }>(
  async (request, { db, params, principal }) => {
    const { reason } = await readJsonBody(request, validateActionBody, { optional: true });
    await skipStep(db, { taskId: params.taskId, step: params.step, actor: principal.actor, reason });
    return Response.json((await getTaskDetailOrThrow(db, params.taskId)) satisfies TaskDetail);
  },
  { role: 'operator' },
);
