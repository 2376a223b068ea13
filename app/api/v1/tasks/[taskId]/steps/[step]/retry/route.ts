import type { TaskDetail } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { validateActionBody } from '@/lib/http/request-schemas';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';
import { retryStep } from '@/lib/actions/retry-step';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/steps/{step}/retry: the step back to ready with a fresh round of attempts.
export const POST = handleRoute<{ taskId: string; step: string }>(
  async (request, { db, params, principal }) => {
    const { reason } = await readJsonBody(request, validateActionBody, { optional: true });
    await retryStep(db, { taskId: params.taskId, step: params.step, actor: principal.actor, reason });
    return Response.json((await getTaskDetailOrThrow(db, params.taskId)) satisfies TaskDetail);
  },
  { role: 'operator' },
);
