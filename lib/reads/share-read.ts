type SharedRead = { startedAt: number; value: Promise<unknown> };

const SHARED_READS_KEY = Symbol.for('switchyard.sharedReads');
type SharedReadsHolder = { [SHARED_READS_KEY]?: Map<string, WeakMap<object, SharedRead>> };

/**
 * Runs `read` at most every `maxAgeMs` per `kind` and database, and shares its answer with every caller
 * in between: a caller takes the latest read of its kind, finished or still running, when it started
 * less than `maxAgeMs` before the caller asked; otherwise it starts a new one (always, with maxAgeMs 0).
 * `readAt` is when the read it gets started. A read that fails is shared only with the callers already
 * waiting on it.
 */
export async function shareRead<T>(kind: string, db: object, maxAgeMs: number, read: () => Promise<T>): Promise<{ value: T; readAt: Date }> {
  // On globalThis: Next.js evaluates modules more than once per process, and each copy would read apart.
  const holder = globalThis as SharedReadsHolder;
  const kinds = (holder[SHARED_READS_KEY] ??= new Map<string, WeakMap<object, SharedRead>>());
  let reads = kinds.get(kind);
  if (!reads) {
    reads = new WeakMap();
    kinds.set(kind, reads);
  }
  const askedAt = Date.now();
  let shared = reads.get(db);
  if (!shared || askedAt - shared.startedAt >= maxAgeMs) {
    const started: SharedRead = { startedAt: askedAt, value: read() };
    const readsOfKind = reads;
    started.value.catch(() => {
      if (readsOfKind.get(db) === started) {
        readsOfKind.delete(db);
      }
    });
    reads.set(db, started);
    shared = started;
  }
  return { value: (await shared.value) as T, readAt: new Date(shared.startedAt) };
}
