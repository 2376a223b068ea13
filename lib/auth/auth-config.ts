import type { SwitchyardEnv } from '../env';
import { createAuthFailureLimiter, type AuthFailureLimiter } from './auth-failure-limiter';

/** What authentication needs to know. Read from the runtime's environment, so tests set it with the runtime. */
export type AuthConfig = {
  /** Unset: local mode, every request is allowed and acts as 'local'. */
  adminToken: string | undefined;
  /** How long a dashboard session lasts. */
  sessionTtlSeconds: number;
  /** Counts failed sign-ins and wrong bearer tokens, and makes their senders wait. */
  failureLimiter: AuthFailureLimiter;
};

const SESSION_TTL_SECONDS = 12 * 60 * 60;

const LIMITERS_KEY = Symbol.for('switchyard.authFailureLimiters');
type LimiterHolder = { [LIMITERS_KEY]?: WeakMap<object, AuthFailureLimiter> };

/**
 * The limiter lives as long as the runtime's environment object: one per process (on globalThis,
 * because Next.js evaluates modules more than once per process), a fresh one for each test runtime.
 */
function failureLimiterFor(env: object): AuthFailureLimiter {
  const holder = globalThis as LimiterHolder;
  const limiters = (holder[LIMITERS_KEY] ??= new WeakMap());
  let limiter = limiters.get(env);
  if (!limiter) {
    limiter = createAuthFailureLimiter();
    limiters.set(env, limiter);
  }
  return limiter;
}

export function readAuthConfig(env: Pick<SwitchyardEnv, 'adminToken'>): AuthConfig {
  return { adminToken: env.adminToken, sessionTtlSeconds: SESSION_TTL_SECONDS, failureLimiter: failureLimiterFor(env) };
}
