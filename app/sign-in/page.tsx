import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SignInPageClient } from './page-client';

export const metadata: Metadata = { title: 'Sign in' };

export default function SignInPage() {
  return (
    <Suspense>
      <SignInPageClient />
    </Suspense>
  );
}
