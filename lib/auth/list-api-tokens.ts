import type { Db } from '../../db/client';
import { findApiTokens } from '../../db/queries/api-tokens';
import type { ApiTokenInfo } from '../api/types';
import { toApiTokenInfo } from './api-token-info';

/** Every token, active ones first, newest first; without secrets. */
export async function listApiTokens(db: Db): Promise<ApiTokenInfo[]> {
  return (await findApiTokens(db)).map(toApiTokenInfo);
}
