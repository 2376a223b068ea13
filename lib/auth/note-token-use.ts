import type { Db } from '../../db/client';
import { touchApiToken } from '../../db/queries/api-tokens';
import type { Principal } from './principal';

const TOUCH_INTERVAL_MS = 60_000;
const lastTouchedByDatabase = new WeakMap<Db, Map<string, number>>();

/**
 * Records when a named token was last used (shown in GET /tokens), at most once a minute per token, and
 * only for requests that were not refused: a refused request writes nothing.
 */
export async function noteTokenUse(db: Db, principal: Principal | undefined): Promise<void> {
  const tokenId = principal?.tokenId;
  if (!tokenId) {
    return;
  }
  let lastTouched = lastTouchedByDatabase.get(db);
  if (!lastTouched) {
    lastTouched = new Map();
    lastTouchedByDatabase.set(db, lastTouched);
  }
  const now = Date.now();
  const key = `${tokenId}/${principal.actor}`;
  if (now - (lastTouched.get(key) ?? 0) < TOUCH_INTERVAL_MS) {
    return;
  }
  lastTouched.set(key, now);
  await touchApiToken(db, Number(tokenId));
}
