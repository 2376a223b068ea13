import type { Db } from '../../db/client';
import { lockApiToken, markApiTokenRevoked } from '../../db/queries/api-tokens';
import { deleteSessionsOfToken } from '../../db/queries/sessions';
import type { ApiTokenInfo } from '../api/types';
import { ConflictError, NotFoundError } from '../errors';
import { parseId } from '../parse-id';
import { toApiTokenInfo } from './api-token-info';

/** Revokes the token and ends the dashboard sessions signed in with it, at once. */
export async function revokeApiToken(db: Db, tokenId: string): Promise<ApiTokenInfo> {
  const id = parseId(tokenId);
  if (id === undefined) {
    throw new NotFoundError('token', tokenId);
  }
  return db.transaction(async (tx) => {
    const token = await lockApiToken(tx, id);
    if (!token) {
      throw new NotFoundError('token', tokenId);
    }
    if (token.revokedAt) {
      throw new ConflictError(`Token '${token.name}' was already revoked at ${token.revokedAt.toISOString()}`);
    }
    const revoked = await markApiTokenRevoked(tx, id);
    await deleteSessionsOfToken(tx, id);
    return toApiTokenInfo(revoked ?? token);
  });
}
