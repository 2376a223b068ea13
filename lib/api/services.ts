import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fetchJson } from './fetch-json';
import type { HoldServiceBody, ServiceInfo, ServiceList, ServiceModeBody } from './types';

const serviceKeys = {
  all: ['services'] as const,
  list: () => ['services', 'list'] as const,
};

const serviceListOptions = () =>
  queryOptions({
    queryKey: serviceKeys.list(),
    queryFn: ({ signal }) => fetchJson<ServiceList>('/api/v1/services', { signal }),
    refetchInterval: 2000,
  });

export const useServiceList = () => useQuery(serviceListOptions());

export function useSetServiceMode() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, ...body }: ServiceModeBody & { name: string }) =>
      fetchJson<ServiceInfo>(`/api/v1/services/${encodeURIComponent(name)}/mode`, { method: 'POST', body }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: serviceKeys.all }),
  });
}

export function useResetServices() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => fetchJson<ServiceList>('/api/v1/services/reset', { method: 'POST', body: {} }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: serviceKeys.all }),
  });
}

/** POST /services/{name}/hold: none of its steps starts until it is released. */
export function useHoldService() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, ...body }: HoldServiceBody & { name: string }) =>
      fetchJson<ServiceInfo>(`/api/v1/services/${encodeURIComponent(name)}/hold`, { method: 'POST', body }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: serviceKeys.all }),
  });
}

/** POST /services/{name}/release: its waiting steps start again, spread out. */
export function useReleaseService() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name }: { name: string }) =>
      fetchJson<ServiceInfo>(`/api/v1/services/${encodeURIComponent(name)}/release`, { method: 'POST', body: {} }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: serviceKeys.all }),
  });
}

export type CircuitAction = 'probe' | 'close' | 'open';

/** POST /services/{name}/circuit: Probe now, Close circuit, Open circuit, with the reason audited. */
export function useChangeCircuit() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, ...body }: { name: string; action: CircuitAction; reason: string }) =>
      fetchJson<ServiceInfo>(`/api/v1/services/${encodeURIComponent(name)}/circuit`, { method: 'POST', body }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: serviceKeys.all }),
  });
}
