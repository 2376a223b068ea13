import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../db/client';
import { deleteTasks, lockExpiredTasks, readTaskArchiveLines, tryRetentionLock } from '../../db/queries/retention';
import type { Logger } from '../logger';

export type RetentionOptions = {
  db: Db;
  log: Logger;
  /** Finished tasks older than this many days (by completed_at) are removed (RETENTION_DAYS). */
  retentionDays: number;
  /** ARCHIVE=on: where each removed task is first appended as a JSON line (DATA_DIR/archive); unset: none kept. */
  archiveDirectory?: string | undefined;
  /** Tasks per transaction. */
  batchSize?: number;
  /** Pause between two batches, so that the workers keep the database most of the time. */
  pauseBetweenBatchesMs?: number;
  /** How often to look for old tasks. */
  intervalMs?: number;
};

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_PAUSE_MS = 200;
const DEFAULT_INTERVAL_MS = 60_000;

/**
 * The orchestrator's retention part (RETENTION_DAYS): on its own timer, removes the tasks finished
 * (complete, cancelled, resolved_manually, compensated) longer ago than the retention with all their
 * rows, a small batch per transaction with a pause in between. A transaction-scoped advisory lock makes
 * one process at a time do it, and the tasks are locked with SKIP LOCKED, so an operator's action on one
 * of them is not in the way (that task waits for the next round).
 *
 * With an archive directory each batch is first appended to `tasks-<UTC date>.ndjson` there and the file
 * fsynced, inside the transaction that then deletes the batch: a task is deleted only once its line is
 * on disk. A crash between the write and the commit leaves the tasks in the database and their lines in
 * the file; the next round writes them again, so an archive may hold a task twice (the same lines: keep
 * the last of each `task.id`).
 */
export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: RetentionOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** Stops after the batch in flight (committed or rolled back), never in the middle of one. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.cycle;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.cycle = this.runOnce()
        .catch((error: unknown) => this.options.log.error({ err: error }, 'retention: removing old tasks failed'))
        .finally(() => {
          this.cycle = undefined;
          if (!this.stopped) {
            this.schedule(this.options.intervalMs ?? DEFAULT_INTERVAL_MS);
          }
        });
    }, delayMs);
  }

  /** Removes old tasks batch after batch until none is left (or stop); how many were removed. */
  async runOnce(): Promise<{ removed: number }> {
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    let removed = 0;
    for (;;) {
      const batch = await this.removeBatch(batchSize);
      removed += batch;
      if (batch < batchSize || this.stopped) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseBetweenBatchesMs ?? DEFAULT_PAUSE_MS));
    }
    if (removed > 0) {
      this.options.log.info(
        { removed, retention_days: this.options.retentionDays, archived: this.options.archiveDirectory !== undefined },
        'retention: old tasks removed',
      );
    }
    return { removed };
  }

  private async removeBatch(limit: number): Promise<number> {
    const { db, retentionDays, archiveDirectory } = this.options;
    return db.transaction(async (tx) => {
      if (!(await tryRetentionLock(tx))) {
        // Another process is removing old tasks.
        return 0;
      }
      const taskIds = await lockExpiredTasks(tx, { retentionDays, limit });
      if (taskIds.length === 0) {
        return 0;
      }
      if (archiveDirectory !== undefined) {
        await appendDurably(archiveDirectory, await readTaskArchiveLines(tx, taskIds));
      }
      return deleteTasks(tx, taskIds);
    });
  }
}

/** Appends the lines to today's archive file and fsyncs it (and the directory, for a new file) before returning. */
async function appendDurably(directory: string, lines: readonly string[]): Promise<void> {
  await fs.mkdir(directory, { recursive: true });
  const file = path.join(directory, `tasks-${new Date().toISOString().slice(0, 10)}.ndjson`);
  const size = await fs
    .stat(file)
    .then((stat) => stat.size)
    .catch(() => undefined);
  const handle = await fs.open(file, 'a+');
  try {
    // A line cut by a crash stays a line of its own: what follows starts on the next.
    const last = Buffer.alloc(1);
    const cut = size !== undefined && size > 0 && (await handle.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a;
    await handle.writeFile(`${cut ? '\n' : ''}${lines.join('\n')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (size === undefined) {
    const directoryHandle = await fs.open(directory, 'r');
    try {
      await directoryHandle.sync();
    } finally {
      await directoryHandle.close();
    }
  }
}
