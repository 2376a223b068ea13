import type { Db } from '../../db/client';
import { lockApiToken, markApiTokenRevoked } from '../../db/queries/api-tokens';
import { deleteSessionsOfToken } from '../../db/queries/sessions';
import type { ApiTokenInfo } from '../api/types';
import { ConflictError, NotFoundError } from '../errors';
import { toApiTokenInfo } from './api-token-info';

/** Revokes the token and ends the dashboard sessions signed in with it, at once. */
export async function revokeApiToken(db: Db, tokenId: number): Promise<ApiTokenInfo> {
  return db.transaction(async (tx) => {
    const token = await lockApiToken(tx, tokenId);
    if (!token) {
      throw new NotFoundError('token', String(tokenId));
    }
    if (token.revokedAt) {
      throw new ConflictError(`Token '${token.name}' was already revoked at ${token.revokedAt.toISOString()}`);
    }
    const revoked = await markApiTokenRevoked(tx, tokenId);
    await deleteSessionsOfToken(tx, tokenId);
    return toApiTokenInfo(revoked ?? token);
  });
}
