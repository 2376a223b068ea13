import { OverviewPageClient } from './page-client';

export default function OverviewPage() {
  return <OverviewPageClient />;
}
