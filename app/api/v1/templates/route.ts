import { saveTemplateVersion } from '@/lib/actions/save-template-version';
import type { SavedTemplateVersion, TemplateList } from '@/lib/api/types';
import { InvalidTemplateError } from '@/lib/errors';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTemplateVersionDetailOrThrow } from '@/lib/reads/get-template-version-detail';
import { listTemplates } from '@/lib/reads/list-templates';
import { templateValidationOptions } from '@/lib/runtime/host';
import { validateTemplate } from '@/lib/templates/validate-template';

export const dynamic = 'force-dynamic';

// GET /api/v1/templates: every template, described by its newest version.
export const GET = handleRoute(operations.listTemplates, async (_request, { db }) =>
  Response.json({ items: await listTemplates(db) } satisfies TemplateList),
);

// POST /api/v1/templates: save a new version from its YAML; 201, or 200 when this content is already saved.
export const POST = handleRoute(operations.saveTemplate, async (_request, { db, runtime, principal, body: yaml }) => {
  const result = validateTemplate(yaml, templateValidationOptions(runtime));
  if (!result.valid) {
    throw new InvalidTemplateError(result.errors);
  }
  const { definition } = result;
  const { created } = await saveTemplateVersion(db, { yaml, definition, actor: principal.actor });
  const saved = await getTemplateVersionDetailOrThrow(db, definition.namespace, definition.name, definition.version);
  return Response.json({ ...saved, created, notices: result.notices } satisfies SavedTemplateVersion, { status: created ? 201 : 200 });
});
