import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fetchJson } from './fetch-json';
import { checkPermission, type Permission, type SessionRole } from './permissions';
import type { Session } from './types';

const sessionKeys = { all: ['session'] as const };

const sessionOptions = () =>
  queryOptions({
    queryKey: sessionKeys.all,
    queryFn: ({ signal }) => fetchJson<Session>('/api/v1/session', { signal }),
    staleTime: 60_000,
    // The sign-in page asks too: a 401 here means "signed out", not "redirect".
    meta: { allowUnauthorized: true },
  });

export const useSession = () => useQuery(sessionOptions());

/** Whether the signed-in role may do `action` (see checkPermission), for disabling what it can't do, with the reason. */
export function usePermission(required: SessionRole, action: string): Permission {
  const session = useSession();
  return checkPermission(session.data, required, action);
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => fetchJson<Session>('/api/v1/session', { method: 'POST', body: { token } }),
    onSuccess: () => queryClient.invalidateQueries(),
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => fetchJson<Session>('/api/v1/session', { method: 'DELETE' }),
    onSettled: () => queryClient.clear(),
  });
}
