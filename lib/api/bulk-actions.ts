import { queryOptions, useQuery } from '@tanstack/react-query';
import { fetchJson } from './fetch-json';
import type { BulkActionProgress } from './types';

const bulkActionKeys = {
  progress: (bulkActionId: string) => ['bulk-actions', 'progress', bulkActionId] as const,
};

const bulkActionProgressOptions = (bulkActionId: string) =>
  queryOptions({
    queryKey: bulkActionKeys.progress(bulkActionId),
    queryFn: ({ signal }) => fetchJson<BulkActionProgress>(`/api/v1/bulk-actions/${encodeURIComponent(bulkActionId)}`, { signal }),
    // Live while some of its tasks still wait; a settled action changes only when someone acts on its tasks again.
    refetchInterval: (query) => (query.state.data && query.state.data.waiting === 0 ? 10_000 : 2000),
  });

/** GET /bulk-actions/{id}: its tasks done, failed, still waiting, and the services holding them back. */
export const useBulkActionProgress = (bulkActionId: string) => useQuery(bulkActionProgressOptions(bulkActionId));
