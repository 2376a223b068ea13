import { ROLES } from './schemas/schema-parts';
import type { Session } from './types';

/** The roles, lowest first, as the server ranks them. */
export const SESSION_ROLES = ROLES;
export type SessionRole = (typeof SESSION_ROLES)[number];

export type Permission = { allowed: true; reason: null } | { allowed: false; reason: string };

const ALLOWED: Permission = { allowed: true, reason: null };

/**
 * Whether the signed-in role may do `action` (words that follow "can't", e.g. "retry steps"), and if
 * not, why, in words the person can act on. Local mode (no ADMIN_TOKEN) may do everything. While the
 * session is unknown (loading, or its request failed) actions stay open: the server still decides, and
 * a 403 is shown where it happens.
 */
export function checkPermission(session: Session | undefined, required: SessionRole, action: string): Permission {
  if (!session || session.mode === 'local') {
    return ALLOWED;
  }
  if (session.role === null) {
    const article = /^[aeiou]/.test(required) ? 'an' : 'a';
    return { allowed: false, reason: `You are not signed in, so you can't ${action}; sign in with ${article} ${required} token.` };
  }
  const granted = SESSION_ROLES.indexOf(session.role);
  if (granted >= SESSION_ROLES.indexOf(required)) {
    return ALLOWED;
  }
  const article = /^[aeiou]/.test(required) ? 'an' : 'a';
  return { allowed: false, reason: `Your role (${session.role}) can't ${action}; ask for ${article} ${required} token.` };
}
