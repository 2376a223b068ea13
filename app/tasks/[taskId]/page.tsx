import type { Metadata } from 'next';
import { Suspense } from 'react';
import { preload } from 'react-dom';
import { LoadingState } from '../../../components/feedback/loading-state';
import { TaskPageClient } from './page-client';

export async function generateMetadata({ params }: { params: Promise<{ taskId: string }> }): Promise<Metadata> {
  const { taskId } = await params;
  return { title: `Task #${taskId}` };
}

export default async function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const { taskId } = await params;
  const id = decodeURIComponent(taskId);
  // The browser fetches the task while it loads the page's scripts; the client's own request for the
  // same URL (lib/api/tasks.ts) then takes that answer instead of waiting a round trip after hydration.
  preload(`/api/v1/tasks/${encodeURIComponent(id)}`, { as: 'fetch', crossOrigin: 'anonymous' });
  return (
    <Suspense fallback={<LoadingState rows={6} />}>
      <TaskPageClient taskId={id} />
    </Suspense>
  );
}
