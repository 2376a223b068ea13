import { describe, expect, it } from 'vitest';
import { decideSignInView } from './session';

const local = { mode: 'local', actor: 'local', role: 'admin' } as const;
const operator = { mode: 'token', actor: 'night-operator', role: 'operator' } as const;

describe('decideSignInView', () => {
  it('a tab from before a restart with ADMIN_TOKEN: "local mode" in the cache, the read since opening refused: sign in, not "Continue"', () => {
    expect(decideSignInView({ isFetchedAfterMount: true, isError: true, data: local })).toBe('sign_in');
  });

  it('believes nothing the page has not read since it opened: checking, whatever the cache says', () => {
    expect(decideSignInView({ isFetchedAfterMount: false, isError: false, data: local })).toBe('checking');
    expect(decideSignInView({ isFetchedAfterMount: false, isError: true, data: undefined })).toBe('checking');
  });

  it('local mode read now: no sign-in; a valid session read now: signed in; nothing read: sign in', () => {
    expect(decideSignInView({ isFetchedAfterMount: true, isError: false, data: local })).toBe('local');
    expect(decideSignInView({ isFetchedAfterMount: true, isError: false, data: operator })).toBe('signed_in');
    expect(decideSignInView({ isFetchedAfterMount: true, isError: false, data: undefined })).toBe('sign_in');
  });

  it('a tab from before a restart into local mode: the old session in the cache, the server now says local', () => {
    expect(decideSignInView({ isFetchedAfterMount: true, isError: false, data: local })).toBe('local');
  });
});
