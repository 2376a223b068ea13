'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ErrorState } from '../../components/feedback/error-state';
import { Link } from '../../components/shell/link';
import { decideSignInView, useFreshSession, useSignIn } from '../../lib/api/session';

const OUR_ORIGIN = 'http://switchyard.invalid';
/** When the last automatic "local mode: go on" happened; a second one this soon shows the link instead of looping. */
const LOCAL_REDIRECT_KEY = 'switchyard-local-redirect-at';
const LOCAL_REDIRECT_PAUSE_MS = 10_000;

/**
 * Only our own paths: a `next` parameter must not send the person to another origin. It is read the
 * way the browser will read it, since URLs forgive a lot: `/\evil.example`, and `/` + tab +
 * `/evil.example`, both lead to evil.example.
 */
function safeNext(next: string | null): string {
  if (!next?.startsWith('/')) {
    return '/';
  }
  try {
    const url = new URL(next, OUR_ORIGIN);
    return url.origin === OUR_ORIGIN ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

/** True once per pause: the page goes on by itself in local mode, unless it did a moment ago (then the person clicks). */
function mayRedirectNow(): boolean {
  try {
    const last = Number(sessionStorage.getItem(LOCAL_REDIRECT_KEY) ?? 0);
    if (Date.now() - last < LOCAL_REDIRECT_PAUSE_MS) {
      return false;
    }
    sessionStorage.setItem(LOCAL_REDIRECT_KEY, String(Date.now()));
  } catch {
    return false;
  }
  return true;
}

export function SignInPageClient() {
  const router = useRouter();
  const searchParams = useSearchParams();
  const next = safeNext(searchParams.get('next'));
  const session = useFreshSession();
  const view = decideSignInView(session);
  const signIn = useSignIn();
  const [token, setToken] = useState('');
  // Local mode, read just now: nothing to sign in to, so the tab goes where it was going.
  useEffect(() => {
    if (view === 'local' && mayRedirectNow()) {
      router.replace(next);
    }
  }, [view, next, router]);
  return (
    <form
      className="sign-in-card"
      data-view={view}
      data-testid="sign-in-form"
      onSubmit={(event) => {
        event.preventDefault();
        signIn.mutate(token.trim(), { onSuccess: () => router.replace(next) });
      }}
    >
      <h1>Sign in to Switchyard</h1>
      {view === 'checking' ? <p>Checking how this server is set up…</p> : null}
      {view === 'local' ? (
        <p>
          This server runs in local mode: no sign-in is needed. <Link href={next}>Continue</Link>
        </p>
      ) : null}
      {view === 'signed_in' && session.data ? (
        <p>
          You are signed in as <strong>{session.data.actor}</strong> ({session.data.role}). <Link href={next}>Continue</Link>, or sign in with another
          token.
        </p>
      ) : null}
      {view === 'sign_in' ? <p>Paste an API token. Its name is recorded on every repair you make; its role decides what you may do.</p> : null}
      {view === 'local' ? null : (
        <>
          <label className="field">
            <span>Token</span>
            <input
              type="password"
              autoComplete="current-password"
              value={token}
              onChange={(event) => setToken(event.target.value)}
              autoFocus
              required
            />
          </label>
          {signIn.isError ? <ErrorState error={signIn.error} title="Could not sign in" /> : null}
          <button type="submit" className="button primary" disabled={!token.trim() || signIn.isPending}>
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </>
      )}
    </form>
  );
}
