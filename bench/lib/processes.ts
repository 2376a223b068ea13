import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from '../../lib/testing/task-testing';

/**
 * A child process running a TypeScript entry under `node --import tsx`: one process, so a signal
 * (SIGKILL in the chaos suite) reaches the program itself, not an npx or tsx wrapper around it.
 */
export type ChildHandle = {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  /** The last lines of its stdout and stderr, for error messages. */
  tail(): string;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
};

/** Every child still running, so that an interrupted benchmark or chaos run does not leave workers behind. */
const liveChildren = new Set<ChildProcess>();
let cleanupInstalled = false;

function installChildCleanup(): void {
  if (cleanupInstalled) {
    return;
  }
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      child.kill('SIGKILL');
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: stopping the processes this run started\n`);
      process.exit(130);
    });
  }
}

/** Tracks a child so it is killed if this process exits first. */
export function trackChild(child: ChildProcess): void {
  installChildCleanup();
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

export function spawnTsx(
  entry: string,
  {
    env,
    args = [],
    logFile,
    onLine,
  }: { env: Record<string, string | undefined>; args?: string[]; logFile?: string; onLine?: (line: string) => void },
): ChildHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(entry), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const lines: string[] = [];
  const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    log?.write(text);
    for (const line of text.split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      lines.push(line);
      if (lines.length > 40) {
        lines.shift();
      }
      onLine?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      log?.end();
      resolve(code ?? (signal ? 128 : null));
    });
  });
  if (child.pid === undefined) {
    throw new Error(`could not start ${entry}`);
  }
  const pid = child.pid;
  return {
    child,
    pid,
    exited,
    tail: () => lines.join('\n'),
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TCP port nobody listens on right now. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in bytes (Linux /proc), or undefined when it is gone. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The pids of `pid` and all its descendants (Linux /proc), so a wrapper's real server can be found. */
export function listProcessTree(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = childrenOf.get(parent) ?? [];
      list.push(Number(entry));
      childrenOf.set(parent, list);
    } catch {
      // the process ended while we looked
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(childrenOf.get(next) ?? []));
  }
  return tree;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `read` until it returns something truthy; throws after `timeoutMs` (the tests' waitFor, with the bench's defaults). */
export function pollUntil<T>(
  read: () => Promise<T | undefined | null | false>,
  { timeoutMs, intervalMs = 50, what }: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  return waitFor(read, { timeoutMs, intervalMs, what });
}
