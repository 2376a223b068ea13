'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { useSession, useSignOut } from '../../lib/api/session';
import { KeyboardShortcuts } from './keyboard-shortcuts';
import { Link } from './link';
import { ThemeToggle } from './theme-toggle';

const NAV_ITEMS = [
  { href: '/', label: 'Overview', icon: 'M2 9h5V2H2zm7 5h5V7H9zM2 14h5v-3H2zM9 2v3h5V2z' },
  { href: '/tasks', label: 'Tasks', icon: 'M2 3h12v2H2zm0 4h12v2H2zm0 4h12v2H2z' },
  { href: '/failures', label: 'Failures', icon: 'M8 1.5L15 14H1zM7.2 6v4h1.6V6zm0 5.2v1.6h1.6v-1.6z' },
  { href: '/templates', label: 'Templates', icon: 'M3 1.5h7l3 3V14.5H3zM5 7h6v1.3H5zm0 3h6v1.3H5z' },
  { href: '/services', label: 'Services', icon: 'M2 2h12v4H2zm0 8h12v4H2zM4 3.4v1.2h1.2V3.4zm0 8v1.2h1.2v-1.2z' },
  { href: '/api-docs', label: 'API', icon: 'M5.5 3L1 8l4.5 5 1.1-1L3 8l3.6-4zm5 0l-1.1 1L13 8l-3.6 4 1.1 1L15 8z' },
];

/**
 * Focuses the page itself, past the navigation, without adding #main to the address: a fragment entry
 * in the history is one Next.js's router does not know, and Back onto it changed the address but not the page.
 */
function skipToContent(event: MouseEvent<HTMLAnchorElement>) {
  const main = document.getElementById('main');
  if (main) {
    event.preventDefault();
    main.focus();
    main.scrollIntoView({ block: 'start' });
  }
}

function isActive(pathname: string, href: string) {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

const BRAND_MARK = (
  <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
    <path d="M3 6h8l4 6h6M3 18h8l4-6" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
    <circle cx="21" cy="12" r="2" fill="currentColor" />
  </svg>
);

/**
 * The frame of every page: the navigation on the left (under 768 px, a top bar whose Menu button opens
 * it), the local-mode banner, the page, and the keyboard shortcuts.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const [menuOpen, setMenuOpen] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  // A page opened from the menu closes it.
  useEffect(() => setMenuOpen(false), [pathname]);
  if (pathname.startsWith('/sign-in')) {
    return <main className="sign-in-main">{children}</main>;
  }
  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a href="#main" className="skip-link" onClick={skipToContent}>
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          {BRAND_MARK}
          <span>Switchyard</span>
        </Link>
        <button
          ref={menuButton}
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-navigation"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
            <path
              d={
                menuOpen
                  ? 'M3.5 2.4L8 6.9l4.5-4.5 1.1 1.1L9.1 8l4.5 4.5-1.1 1.1L8 9.1l-4.5 4.5-1.1-1.1L6.9 8 2.4 3.5z'
                  : 'M2 3h12v1.6H2zm0 4.2h12v1.6H2zm0 4.2h12V13H2z'
              }
              fill="currentColor"
            />
          </svg>
          Menu
        </button>
      </header>
      <nav
        id="main-navigation"
        className="sidebar"
        aria-label="Main"
        onKeyDown={(event) => {
          if (event.key === 'Escape' && menuOpen) {
            setMenuOpen(false);
            menuButton.current?.focus();
          }
        }}
      >
        <Link href="/" className="brand">
          {BRAND_MARK}
          <span>Switchyard</span>
        </Link>
        <ul>
          {NAV_ITEMS.map((item) => (
            <li key={item.href}>
              <Link
                href={item.href}
                prefetch="auto"
                className={isActive(pathname, item.href) ? 'active' : undefined}
                aria-current={isActive(pathname, item.href) ? 'page' : undefined}
                onClick={() => setMenuOpen(false)}
              >
                <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
                  <path d={item.icon} fill="currentColor" fillRule="evenodd" />
                </svg>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          <SessionChip />
          <ThemeToggle />
          <button type="button" className="link-button shortcuts-hint" onClick={() => setShortcutsOpen(true)}>
            Keyboard shortcuts <kbd>?</kbd>
          </button>
        </div>
      </nav>
      <div className="shell-main">
        <LocalModeBanner />
        <main id="main" className="page" tabIndex={-1}>
          {children}
        </main>
      </div>
      <KeyboardShortcuts helpOpen={shortcutsOpen} onHelpOpenChange={setShortcutsOpen} />
    </div>
  );
}

function LocalModeBanner() {
  const session = useSession();
  if (session.data?.mode !== 'local') {
    return null;
  }
  return (
    <div className="local-banner" role="note" data-testid="local-mode-banner">
      <strong>Local mode</strong> — no sign-in: anyone on this machine can act as <code>{session.data.actor ?? 'local'}</code>. The server listens on
      loopback only. Set <code>ADMIN_TOKEN</code> to require tokens.
    </div>
  );
}

function SessionChip() {
  const session = useSession();
  const signOut = useSignOut();
  const router = useRouter();
  if (!session.data) {
    return null;
  }
  return (
    <div className="session-chip">
      <span className="session-actor" title="who your actions are recorded as">
        {session.data.actor ?? 'anonymous'}
      </span>
      <span className="session-role">{session.data.mode === 'local' ? 'local mode' : session.data.role}</span>
      {session.data.mode === 'token' ? (
        <button type="button" className="link-button" onClick={() => signOut.mutate(undefined, { onSuccess: () => router.push('/sign-in') })}>
          Sign out
        </button>
      ) : null}
    </div>
  );
}
