import type { TemplateValidationResult } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { validateTemplate } from '@/lib/templates/validate-template';

export const dynamic = 'force-dynamic';

// POST /api/v1/templates/validate: check a template's YAML without saving it; every problem with its line, and the DAG.
export const POST = handleRoute(operations.validateTemplate, async (_request, { runtime, body: yaml }) => {
  const { valid, errors, dag } = validateTemplate(yaml, { handlers: runtime.handlers, services: runtime.serviceNames });
  return Response.json({ valid, errors, dag } satisfies TemplateValidationResult);
});
