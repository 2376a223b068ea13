'use client';

import NextLink from 'next/link';
import type { ComponentProps } from 'react';

/**
 * The dashboard's link: Next.js's Link without prefetching unless asked. The pages are client views whose
 * data comes from /api/v1, so a prefetched page brings nothing worth its request; and a task list's 50 row
 * links, or the overview's 60 figures, prefetched at once held back the browser's own API requests behind
 * them (a next page took ≈ 0.7 s instead of ≈ 0.3 s). The sidebar asks for prefetching.
 */
export function Link({ prefetch = false, ...props }: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={prefetch} {...props} />;
}
