import type { Role } from './roles';

/**
 * Who is calling. `actor` is recorded on every transition the request causes: 'local' in local mode,
 * 'admin' for ADMIN_TOKEN, else the API token's name.
 */
export type Principal = {
  actor: string;
  role: Role;
  mode: 'local' | 'token';
  /** How the caller proved it: a session cookie must also come from our own origin to change anything. */
  via: 'local' | 'admin_token' | 'api_token' | 'session';
  /** The named API token used, directly or through a session; null for ADMIN_TOKEN and local mode. */
  tokenId: string | null;
};

export const LOCAL_PRINCIPAL: Principal = { actor: 'local', role: 'admin', mode: 'local', via: 'local', tokenId: null };

/** Names a token may not take, so that an actor in the audit trail always means one thing. */
export const RESERVED_ACTOR_NAMES = ['admin', 'local', 'system', 'anonymous'];
