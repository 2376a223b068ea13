import type { Metadata } from 'next';
import { TemplatesPageClient } from './page-client';

export const metadata: Metadata = { title: 'Templates' };

export default function TemplatesPage() {
  return <TemplatesPageClient />;
}
