import { describe, expect, it } from 'vitest';
import { ROLES } from '../auth/roles';
import { checkPermission, SESSION_ROLES } from './permissions';

describe('checkPermission', () => {
  it('ranks the roles as the server does', () => {
    expect([...SESSION_ROLES]).toEqual([...ROLES]);
  });

  it('lets local mode do everything', () => {
    expect(checkPermission({ mode: 'local', actor: 'local', role: 'admin' }, 'admin', 'save templates')).toEqual({ allowed: true, reason: null });
  });

  it('keeps actions open while the session is unknown: the server still decides', () => {
    expect(checkPermission(undefined, 'operator', 'retry steps').allowed).toBe(true);
  });

  it('refuses a viewer an operator action, saying why and what to ask for', () => {
    expect(checkPermission({ mode: 'token', actor: 'night-desk', role: 'viewer' }, 'operator', 'retry steps')).toEqual({
      allowed: false,
      reason: "Your role (viewer) can't retry steps; ask for an operator token.",
    });
  });

  it('lets an operator repair and an admin do what an operator does', () => {
    expect(checkPermission({ mode: 'token', actor: 'ops', role: 'operator' }, 'operator', 'retry steps').allowed).toBe(true);
    expect(checkPermission({ mode: 'token', actor: 'admin', role: 'admin' }, 'operator', 'retry steps').allowed).toBe(true);
  });

  it('refuses an operator an admin action', () => {
    expect(checkPermission({ mode: 'token', actor: 'ops', role: 'operator' }, 'admin', 'save templates')).toEqual({
      allowed: false,
      reason: "Your role (operator) can't save templates; ask for an admin token.",
    });
  });

  it('refuses everything to a signed-out session in token mode', () => {
    expect(checkPermission({ mode: 'token', actor: null, role: null }, 'operator', 'retry steps')).toEqual({
      allowed: false,
      reason: "You are not signed in, so you can't retry steps; sign in with an operator token.",
    });
  });
});
