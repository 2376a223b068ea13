import type { TemplateUsageList } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { listTemplateUsage } from '@/lib/reads/list-template-usage';

export const dynamic = 'force-dynamic';

// GET /api/v1/templates/usage: per template version, its tasks and the failure rate of the last day.
export const GET = handleRoute(operations.listTemplateUsage, async (_request, { db }) =>
  Response.json({ items: await listTemplateUsage(db) } satisfies TemplateUsageList),
);
