import type { Db } from '../../db/client';
import { findApiTokenByName, insertApiTokenUnlessNameTaken } from '../../db/queries/api-tokens';
import type { ApiTokenInfo } from '../api/types';
import { ConflictError, InvalidInputError } from '../errors';
import { toApiTokenInfo } from './api-token-info';
import { RESERVED_ACTOR_NAMES } from './principal';
import type { Role } from './roles';
import { generateSecret, hashSecret, TOKEN_SECRET_PREFIX } from './secrets';

/**
 * Creates a named token. The secret is returned this once and only its SHA-256 is stored. The name is
 * the actor recorded for everything done with the token, so no two tokens ever share one (in any case),
 * not even after one was revoked: the audit trail would no longer say which of them acted.
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
    throw await nameTakenError(db, name);
  }
  return { token: toApiTokenInfo(row), secret };
}

async function nameTakenError(db: Db, name: string): Promise<ConflictError> {
  const holder = await findApiTokenByName(db, name);
  const by = holder ? `token '${holder.name}'${holder.revokedAt ? `, revoked at ${holder.revokedAt.toISOString()}` : ''}` : 'another token';
  return new ConflictError(
    `The name '${name}' is taken by ${by}; token names are never reused, so that the audit trail names one token. Pick another name`,
    [{ path: '/name', message: holder?.revokedAt ? 'is taken by a revoked token' : 'is taken by an active token' }],
  );
}
