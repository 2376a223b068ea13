import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoadingState } from '../../../components/feedback/loading-state';
import { TaskPageClient } from './page-client';

export async function generateMetadata({ params }: { params: Promise<{ taskId: string }> }): Promise<Metadata> {
  const { taskId } = await params;
  return { title: `Task #${taskId}` };
}

export default async function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const { taskId } = await params;
  return (
    <Suspense fallback={<LoadingState rows={6} />}>
      <TaskPageClient taskId={decodeURIComponent(taskId)} />
    </Suspense>
  );
}
