import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { AppShell } from '../components/shell/app-shell';
import './globals.css';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: { default: 'Switchyard', template: '%s · Switchyard' },
  description: 'Run multi-service workflows reliably, and repair them when they break.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <AppShell>{children}</AppShell>
        </Providers>
      </body>
    </html>
  );
}
