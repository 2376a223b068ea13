import type { Database } from '../../db/client';
import { TASKS_CHANGED_CHANNEL } from '../../db/queries/steps';
import { logger } from '../logger';

type Listener = () => void;
type Feed = { listeners: Map<number, Set<Listener>>; listening: Promise<unknown> | undefined };

const FEEDS_KEY = Symbol.for('switchyard.taskChangeFeeds');
type FeedHolder = { [FEEDS_KEY]?: WeakMap<Database, Feed> };

function feedsOfProcess(): WeakMap<Database, Feed> {
  const holder = globalThis as FeedHolder;
  holder[FEEDS_KEY] ??= new WeakMap();
  return holder[FEEDS_KEY];
}

function deliver(feed: Feed, payload: string): void {
  for (const taskId of payload.split(',')) {
    for (const listener of feed.listeners.get(Number(taskId)) ?? []) {
      try {
        listener();
      } catch (error) {
        logger.warn({ err: error, task_id: taskId }, 'a task change listener failed');
      }
    }
  }
}

/**
 * Calls `onChange` whenever task `taskId` changes (a NOTIFY on switchyard_tasks_changed names it).
 * The process holds one LISTEN per database, opened by the first subscriber and shared by all, rather
 * than a connection per watcher. Resolves to the function that unsubscribes.
 */
export async function subscribeTaskChanges(database: Database, taskId: number, onChange: Listener): Promise<() => void> {
  const feeds = feedsOfProcess();
  let feed = feeds.get(database);
  if (!feed) {
    feed = { listeners: new Map(), listening: undefined };
    feeds.set(database, feed);
  }
  const listeners = feed.listeners.get(taskId) ?? new Set<Listener>();
  listeners.add(onChange);
  feed.listeners.set(taskId, listeners);
  if (!feed.listening) {
    const current = feed;
    current.listening = database
      .listen(TASKS_CHANGED_CHANNEL, (payload) => deliver(current, payload))
      .catch((error: unknown) => {
        // The next subscriber tries again.
        current.listening = undefined;
        throw error;
      });
  }
  try {
    await feed.listening;
  } catch (error) {
    listeners.delete(onChange);
    throw error;
  }
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0 && feed.listeners.get(taskId) === listeners) {
      feed.listeners.delete(taskId);
    }
  };
}
