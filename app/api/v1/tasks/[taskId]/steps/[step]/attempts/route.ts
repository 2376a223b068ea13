import type { AttemptList } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { listStepAttempts } from '@/lib/reads/list-step-attempts';

export const dynamic = 'force-dynamic';

// GET /api/v1/tasks/{taskId}/steps/{step}/attempts: every attempt of the step (by name or id), first first.
export const GET = handleRoute(operations.listStepAttempts, async (_request, { db, params }) =>
  Response.json({ items: await listStepAttempts(db, { taskId: params.taskId, step: params.step }) } satisfies AttemptList),
);
