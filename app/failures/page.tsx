import type { Metadata } from 'next';
import { FailuresPageClient } from './page-client';

export const metadata: Metadata = { title: 'Failures' };

export default function FailuresPage() {
  return <FailuresPageClient />;
}
