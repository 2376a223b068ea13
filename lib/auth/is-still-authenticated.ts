import type { Db } from '../../db/client';
import type { SwitchyardEnv } from '../env';
import { readAuthConfig } from './auth-config';
import { reauthenticateRequest } from './authenticate-request';
import type { Principal } from './principal';

/**
 * Whether a request let in earlier as `principal` would still be let in as the same caller: false once
 * its token was revoked, its session ended or expired, or ADMIN_TOKEN changed. For what outlives its
 * request (an event stream). Reads the environment again, as each new request does.
 */
export async function isStillAuthenticated(
  request: Request,
  { db, env, principal }: { db: Db; env: Pick<SwitchyardEnv, 'adminToken'>; principal: Principal },
): Promise<boolean> {
  const again = await reauthenticateRequest(request, { db, config: readAuthConfig(env) });
  return again !== undefined && again.actor === principal.actor && again.role === principal.role && again.tokenId === principal.tokenId;
}
