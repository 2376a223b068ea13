'use client';

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { isRetryableRequestError, isUnauthorizedError } from '../lib/api/api-error';

/**
 * One QueryClient per browser. Failed reads are retried except for 4xx answers (408 and 429 aside),
 * which a retry cannot fix; a 401 from any request sends the person to the sign-in page.
 */
export function Providers({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const navigation = useRef({ router, pathname });
  useEffect(() => {
    navigation.current = { router, pathname };
  }, [router, pathname]);
  const [queryClient] = useState(() => {
    const onUnauthorized = (error: unknown, meta: Record<string, unknown> | undefined) => {
      if (!isUnauthorizedError(error) || meta?.allowUnauthorized) {
        return;
      }
      const { router: currentRouter, pathname: currentPath } = navigation.current;
      if (currentPath.startsWith('/sign-in')) {
        return;
      }
      const next = `${currentPath}${window.location.search}`;
      currentRouter.replace(`/sign-in?next=${encodeURIComponent(next)}`);
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError: (error, query) => onUnauthorized(error, query.meta) }),
      mutationCache: new MutationCache({ onError: (error, _variables, _context, mutation) => onUnauthorized(error, mutation.meta) }),
      defaultOptions: {
        queries: {
          staleTime: 1000,
          retry: (failureCount, error) => failureCount < 3 && isRetryableRequestError(error),
          refetchOnWindowFocus: true,
        },
        mutations: { retry: false },
      },
    });
  });
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
