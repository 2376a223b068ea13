import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoadingState } from '../../components/feedback/loading-state';
import { TasksPageClient } from './page-client';

export const metadata: Metadata = { title: 'Tasks' };

export default function TasksPage() {
  return (
    <Suspense fallback={<LoadingState rows={8} />}>
      <TasksPageClient />
    </Suspense>
  );
}
