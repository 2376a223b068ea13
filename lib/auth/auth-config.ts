import type { SwitchyardEnv } from '../env';

/** What authentication needs to know. Read from the runtime's environment, so tests set it with the runtime. */
export type AuthConfig = {
  /** Unset: local mode, every request is allowed and acts as 'local'. */
  adminToken: string | undefined;
  /** How long a dashboard session lasts. */
  sessionTtlSeconds: number;
};

export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export function readAuthConfig(env: Pick<SwitchyardEnv, 'adminToken'>): AuthConfig {
  return { adminToken: env.adminToken, sessionTtlSeconds: SESSION_TTL_SECONDS };
}
