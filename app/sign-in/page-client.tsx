'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorState } from '../../components/feedback/error-state';
import { Link } from '../../components/shell/link';
import { useSession, useSignIn } from '../../lib/api/session';

const OUR_ORIGIN = 'http://switchyard.invalid';

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

export function SignInPageClient() {
  const router = useRouter();
  const searchParams = useSearchParams();
  const next = safeNext(searchParams.get('next'));
  const session = useSession();
  const signIn = useSignIn();
  const [token, setToken] = useState('');
  return (
    <form
      className="sign-in-card"
      onSubmit={(event) => {
        event.preventDefault();
        signIn.mutate(token.trim(), { onSuccess: () => router.replace(next) });
      }}
    >
      <h1>Sign in to Switchyard</h1>
      {session.data?.mode === 'local' ? (
        <p>
          This server runs in local mode: no sign-in is needed. <Link href={next}>Continue</Link>
        </p>
      ) : (
        <p>Paste an API token. Its name is recorded on every repair you make; its role decides what you may do.</p>
      )}
      <label className="field">
        <span>Token</span>
        <input type="password" autoComplete="current-password" value={token} onChange={(event) => setToken(event.target.value)} autoFocus required />
      </label>
      {signIn.isError ? <ErrorState error={signIn.error} title="Could not sign in" /> : null}
      <button type="submit" className="button primary" disabled={!token.trim() || signIn.isPending}>
        {signIn.isPending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
