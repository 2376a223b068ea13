import type { TemplateVersionDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTemplateVersionDetailOrThrow } from '@/lib/reads/get-template-version-detail';

export const dynamic = 'force-dynamic';

// GET /api/v1/templates/{namespace}/{name}/{version}: one version's YAML, definition and DAG.
export const GET = handleRoute(operations.getTemplateVersion, async (_request, { db, params }) =>
  Response.json((await getTemplateVersionDetailOrThrow(db, params.namespace, params.name, params.version)) satisfies TemplateVersionDetail),
);
