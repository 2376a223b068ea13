import { queryOptions, useQuery } from '@tanstack/react-query';
import { fetchJson } from './fetch-json';
import type { Overview } from './types';

const overviewKeys = { all: ['overview'] as const };

/** GET /api/v1/overview: every figure of the overview page, counted on the server over every task. */
const overviewOptions = () =>
  queryOptions({
    queryKey: overviewKeys.all,
    queryFn: ({ signal }) => fetchJson<Overview>('/api/v1/overview', { signal }),
    refetchInterval: 5000,
  });

export const useOverview = () => useQuery(overviewOptions());
