import type { Metadata } from 'next';
import { TemplateStudioPageClient } from './page-client';
import { isStudioTab } from './studio-tabs';

type Params = Promise<{ namespace: string; name: string }>;
type SearchParams = Promise<{ tab?: string | string[] }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name } = await params;
  return { title: `Template ${decodeURIComponent(name)}` };
}

export default async function TemplatePage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { namespace, name } = await params;
  const { tab } = await searchParams;
  return (
    <TemplateStudioPageClient
      key={`${namespace}/${name}`}
      namespace={decodeURIComponent(namespace)}
      name={decodeURIComponent(name)}
      initialTab={typeof tab === 'string' && isStudioTab(tab) ? tab : 'edit'}
    />
  );
}
