import { queryOptions, useQuery } from '@tanstack/react-query';
import { fetchJson } from './fetch-json';
import type { OpenApiDocument } from './types';

const openApiKeys = { all: ['openapi'] as const };

const openApiOptions = () =>
  queryOptions({
    queryKey: openApiKeys.all,
    queryFn: ({ signal }) => fetchJson<OpenApiDocument>('/api/v1/openapi.json', { signal }),
    staleTime: Infinity,
  });

export const useOpenApiDocument = () => useQuery(openApiOptions());
