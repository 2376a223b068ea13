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

/** What the sign-in page shows: see decideSignInView. */
export type SignInView = 'checking' | 'local' | 'signed_in' | 'sign_in';

/**
 * What the sign-in page shows, from a session read made since it opened: never from the cache alone. A tab
 * opened before the server restarted with ADMIN_TOKEN still holds "local mode" from then; had the page
 * believed it, it offered "no sign-in needed. Continue" and the next page's 401 brought it back, forever.
 * A refused read (401) means: sign in. Local mode (read now) needs no sign-in; a valid session may go on.
 */
export function decideSignInView(read: { isFetchedAfterMount: boolean; isError: boolean; data: Session | undefined }): SignInView {
  if (!read.isFetchedAfterMount) {
    return 'checking';
  }
  if (read.isError || !read.data) {
    return 'sign_in';
  }
  return read.data.mode === 'local' ? 'local' : 'signed_in';
}

/** The session as the server sees it now: read again whenever a page using it opens, whatever the cache holds. */
export const useFreshSession = () => useQuery({ ...sessionOptions(), staleTime: 0, refetchOnMount: 'always', retry: false });

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
