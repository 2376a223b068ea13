import type { TemplateDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTemplateDetailOrThrow } from '@/lib/reads/get-template-detail';

export const dynamic = 'force-dynamic';

// GET /api/v1/templates/{namespace}/{name}: the template's versions and the DAG of the newest.
export const GET = handleRoute(operations.getTemplate, async (_request, { db, params }) =>
  Response.json((await getTemplateDetailOrThrow(db, params.namespace, params.name)) satisfies TemplateDetail),
);
