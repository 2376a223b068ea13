import type { Db } from '../../db/client';
import { insertApiTokenUnlessNameTaken } from '../../db/queries/api-tokens';
import type { ApiTokenInfo } from '../api/types';
import { ConflictError, InvalidInputError } from '../errors';
import { toApiTokenInfo } from './api-token-info';
import { RESERVED_ACTOR_NAMES } from './principal';
import type { Role } from './roles';
import { generateSecret, hashSecret, TOKEN_SECRET_PREFIX } from './secrets';

/**
 * Creates a named token. The secret is returned this once and only its SHA-256 is stored. The name is
 * the actor recorded for everything done with the token, so two active tokens never share one.
 */
export async function createApiToken(
  db: Db,
  { name, role, actor }: { name: string; role: Role; actor: string },
): Promise<{ token: ApiTokenInfo; secret: string }> {
  if (RESERVED_ACTOR_NAMES.includes(name.toLowerCase())) {
    throw new InvalidInputError([{ path: '/name', message: `'${name}' is reserved; pick another name` }]);
  }
  const secret = generateSecret(TOKEN_SECRET_PREFIX);
  const row = await insertApiTokenUnlessNameTaken(db, { name, role, tokenHash: hashSecret(secret), createdBy: actor });
  if (!row) {
    throw new ConflictError(`An active token is already named '${name}'; revoke it first or pick another name`, [
      { path: '/name', message: 'is taken by an active token' },
    ]);
  }
  return { token: toApiTokenInfo(row), secret };
}
