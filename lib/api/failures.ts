import { queryOptions, useQuery } from '@tanstack/react-query';
import { fetchJson, toQueryString } from './fetch-json';
import type { FailureList, TaskFilters } from './types';

const failureKeys = {
  all: ['failures'] as const,
  list: (filters: Pick<TaskFilters, 'namespace' | 'name'>) => ['failures', 'list', filters] as const,
};

const failureListOptions = (filters: Pick<TaskFilters, 'namespace' | 'name'> = {}) =>
  queryOptions({
    queryKey: failureKeys.list(filters),
    queryFn: ({ signal }) => fetchJson<FailureList>(`/api/v1/failures${toQueryString(filters)}`, { signal }),
    refetchInterval: 5000,
  });

export const useFailureList = (filters?: Pick<TaskFilters, 'namespace' | 'name'>) => useQuery(failureListOptions(filters));
