import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoadingState } from '../../components/feedback/loading-state';
import { FailuresPageClient } from './page-client';

export const metadata: Metadata = { title: 'Failures' };

export default function FailuresPage() {
  return (
    <Suspense fallback={<LoadingState rows={6} />}>
      <FailuresPageClient />
    </Suspense>
  );
}
