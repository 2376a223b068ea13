import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { Suspense } from 'react';
import { preload } from 'react-dom';
import { LoadingState } from '../../../components/feedback/loading-state';
import { readTaskDetailForPage } from '../../../lib/http/read-page-data';
import { TaskPageClient } from './page-client';

export async function generateMetadata({ params }: { params: Promise<{ taskId: string }> }): Promise<Metadata> {
  const { taskId } = await params;
  return { title: `Task #${taskId}` };
}

/**
 * The task is read here, so the HTML arrives with its header and its graph laid out and drawn; the
 * browser then goes live (the event stream, or polling). Read only for a request the API would answer
 * the same (lib/http/read-page-data.ts): otherwise the browser asks, as before, and is refused there.
 */
export default async function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const id = decodeURIComponent((await params).taskId);
  const initialTask = await readTaskDetailForPage(await headers(), id);
  if (!initialTask) {
    // Not read here (signed out, or no such task): the client's request for the task (lib/api/tasks.ts)
    // takes this answer, fetched while the page's scripts load.
    preload(`/api/v1/tasks/${encodeURIComponent(id)}`, { as: 'fetch', crossOrigin: 'anonymous' });
  }
  return (
    <Suspense fallback={<LoadingState rows={6} />}>
      <TaskPageClient taskId={id} initialTask={initialTask} />
    </Suspense>
  );
}
