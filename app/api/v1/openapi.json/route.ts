import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { buildOpenApiDocument } from '@/lib/http/openapi-document';

export const dynamic = 'force-dynamic';

const document = buildOpenApiDocument();

// GET /api/v1/openapi.json: the OpenAPI 3.1 document of this API.
export const GET = handleRoute(operations.getOpenApiDocument, async () => Response.json(document));
