import type { Metadata } from 'next';
import { ApiDocsPageClient } from './page-client';

export const metadata: Metadata = { title: 'API' };

export default function ApiDocsPage() {
  return <ApiDocsPageClient />;
}
