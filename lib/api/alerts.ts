import { queryOptions, useQuery } from '@tanstack/react-query';
import { fetchJson } from './fetch-json';
import type { AlertDeliveryList } from './types';

const alertKeys = {
  all: ['alerts'] as const,
  list: () => ['alerts', 'list'] as const,
};

const alertDeliveryListOptions = () =>
  queryOptions({
    queryKey: alertKeys.list(),
    queryFn: ({ signal }) => fetchJson<AlertDeliveryList>('/api/v1/alerts', { signal }),
    refetchInterval: 5000,
  });

export const useAlertDeliveries = () => useQuery(alertDeliveryListOptions());
