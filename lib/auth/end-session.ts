import type { Db } from '../../db/client';
import { deleteSessionByHash } from '../../db/queries/sessions';
import { hashSecret } from './secrets';

/** Signs out: the session stops working at once, wherever its cookie is. */
export async function endSession(db: Db, sessionSecret: string): Promise<void> {
  await deleteSessionByHash(db, hashSecret(sessionSecret));
}
