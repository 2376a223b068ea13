'use client';

import { ApiRouteList } from '../../components/api-docs/api-route-list';
import { ErrorState } from '../../components/feedback/error-state';
import { LoadingState } from '../../components/feedback/loading-state';
import { useOpenApiDocument } from '../../lib/api/openapi';

export function ApiDocsPageClient() {
  const document = useOpenApiDocument();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>{document.data?.info.title ?? 'API'}</h1>
          <p>
            Every route of <code>/api/v1</code>, from <a href="/api/v1/openapi.json">openapi.json</a>
            {document.data ? ` (OpenAPI ${document.data.openapi}, version ${document.data.info.version})` : ''}. Click a route for its parameters,
            body and answers.
          </p>
        </div>
      </header>
      {document.isPending ? <LoadingState rows={8} label="Loading the API description…" /> : null}
      {document.isError ? <ErrorState error={document.error} title="Could not load openapi.json" onRetry={() => void document.refetch()} /> : null}
      {document.data?.info.description ? <p className="muted">{document.data.info.description}</p> : null}
      {document.data ? <ApiRouteList document={document.data} /> : null}
    </>
  );
}
