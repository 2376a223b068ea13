import type { TemplateValidationResult } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { templateValidationOptions } from '@/lib/runtime/host';
import { validateTemplate } from '@/lib/templates/validate-template';

export const dynamic = 'force-dynamic';

// POST /api/v1/templates/validate: check a template's YAML without saving it; every problem with its line, and the DAG.
export const POST = handleRoute(operations.validateTemplate, async (_request, { runtime, body: yaml }) => {
  const { valid, errors, notices, dag } = validateTemplate(yaml, templateValidationOptions(runtime));
  return Response.json({ valid, errors, notices, dag } satisfies TemplateValidationResult);
});
