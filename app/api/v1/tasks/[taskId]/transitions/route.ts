import type { TransitionList } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { listTaskTransitions } from '@/lib/reads/list-task-transitions';

export const dynamic = 'force-dynamic';

// GET /api/v1/tasks/{taskId}/transitions: the audit trail of the task and its steps, oldest first.
export const GET = handleRoute(operations.listTaskTransitions, async (_request, { db, params }) =>
  Response.json({ items: await listTaskTransitions(db, params.taskId) } satisfies TransitionList),
);
