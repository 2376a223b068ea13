import { handleRoute } from '@/lib/http/handle-route';
import { getTemplateDetailOrThrow } from '@/lib/reads/get-template-detail';

export const dynamic = 'force-dynamic';

// GET /api/v1/templates/{namespace}/{name}: the template's versions and the DAG of the newest.
export const GET = handleRoute<{ namespace: string; name: string }>(async (_request, { db, params }) =>
  Response.json(await getTemplateDetailOrThrow(db, params.namespace, params.name)),
);
