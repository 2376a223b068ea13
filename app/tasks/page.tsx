import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { Suspense } from 'react';
import { LoadingState } from '../../components/feedback/loading-state';
import { readTaskListParams, toUrlSearchParams } from '../../lib/api/task-list-params';
import { readTaskListForPage } from '../../lib/http/read-page-data';
import { TasksPageClient } from './page-client';

export const metadata: Metadata = { title: 'Tasks' };

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * The first page of rows is read here, for the address's filters, so the HTML arrives with them (in
 * place, not streamed into a hidden boundary); the browser goes on from there (polling). Read only for a
 * request the API would answer the same (lib/http/read-page-data.ts): signed out, the page holds no rows
 * and the browser is sent to sign in.
 */
export default async function TasksPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = readTaskListParams(toUrlSearchParams(await searchParams));
  const initialList = await readTaskListForPage(await headers(), params);
  return (
    <Suspense fallback={<LoadingState rows={8} />}>
      <TasksPageClient initialList={initialList && { params, ...initialList }} />
    </Suspense>
  );
}
