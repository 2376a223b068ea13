import type { Metadata } from 'next';
import { TemplateStudioPageClient } from '../[namespace]/[name]/page-client';

export const metadata: Metadata = { title: 'New template' };

export default function NewTemplatePage() {
  return <TemplateStudioPageClient initialTab="edit" />;
}
