import type { Metadata } from 'next';
import { ServicesPageClient } from './page-client';

export const metadata: Metadata = { title: 'Services' };

export default function ServicesPage() {
  return <ServicesPageClient />;
}
