import type { ApiTokenRow } from '../../db/schema';
import type { ApiTokenInfo } from '../api/types';
import { isRole } from './roles';

/** A token as the API shows it: never its secret or hash. */
export function toApiTokenInfo(row: ApiTokenRow): ApiTokenInfo {
  return {
    id: String(row.id),
    name: row.name,
    role: isRole(row.role) ? row.role : 'viewer',
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    active: row.revokedAt === null,
  };
}
