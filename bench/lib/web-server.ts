import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, listProcessTree, pollUntil, readRssBytes, trackChild } from './processes';

export type WebServer = {
  url: string;
  pid: number;
  /** RSS of the server process and its descendants, in bytes. */
  rssBytes(): number;
  tail(): string;
  stop(): Promise<void>;
};

const BUILD_ID_FILE = path.resolve('.next/BUILD_ID');

/**
 * Makes sure a production build exists: runs scripts/ensure-build.ts (which builds when there is none
 * or a source file is newer) unless `build` is false, in which case any existing build is used. The
 * build is then copied to a directory of the benchmark's own, because other sessions rebuild `.next`
 * in this working tree at any time (`next build` empties it first).
 * Returns the app directory to start, or why the HTTP figures cannot run.
 */
export function prepareBuild({ build }: { build: boolean }): { appDirectory: string } | { skipped: string } {
  if (build) {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/ensure-build.ts'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (result.status !== 0) {
      return { skipped: `next build failed (exit ${result.status ?? 'signal'}), so the HTTP figures were skipped` };
    }
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const buildId = readBuildId();
    if (!buildId) {
      return { skipped: 'there is no production build in .next (run without --no-build, or `npx tsx scripts/ensure-build.ts`)' };
    }
    const appDirectory = snapshotBuild();
    if (readBuildId() === buildId && fs.existsSync(path.join(appDirectory, '.next/BUILD_ID'))) {
      return { appDirectory };
    }
    fs.rmSync(appDirectory, { recursive: true, force: true });
  }
  return { skipped: 'the build in .next kept changing while it was copied (another session is building)' };
}

function readBuildId(): string | undefined {
  try {
    return fs.readFileSync(BUILD_ID_FILE, 'utf8');
  } catch {
    return undefined;
  }
}

/** A directory whose entries link to the working tree's, with a private copy of `.next` (without its cache). */
function snapshotBuild(): string {
  const root = process.cwd();
  const appDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-app-'));
  for (const entry of fs.readdirSync(root)) {
    if (entry !== '.next' && entry !== '.git') {
      fs.symlinkSync(path.join(root, entry), path.join(appDirectory, entry));
    }
  }
  fs.cpSync(path.join(root, '.next'), path.join(appDirectory, '.next'), {
    recursive: true,
    filter: (source) => !/[/\\]\.next[/\\](cache|dev)([/\\]|$)/.test(source),
  });
  return appDirectory;
}

/**
 * `next start` on a free port against `databaseUrl`, with the given runtime switches; resolves once
 * GET /api/v1/health answers 200.
 */
export async function startWebServer({
  appDirectory,
  databaseUrl,
  env = {},
}: {
  appDirectory: string;
  databaseUrl: string;
  env?: Record<string, string>;
}): Promise<WebServer> {
  const port = await findFreePort();
  const next = path.resolve('node_modules/next/dist/bin/next');
  const child: ChildProcess = spawn(process.execPath, [next, 'start', appDirectory, '--port', String(port), '--hostname', '127.0.0.1'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      LOG_LEVEL: 'warn',
      DEMO_SERVICES: 'off',
      ADMIN_TOKEN: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const pid = child.pid as number;
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await pollUntil(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`next start exited with ${child.exitCode}:\n${lines.join('\n')}`);
        }
        try {
          const response = await fetch(`${url}/api/v1/health`);
          return response.status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs: 90_000, intervalMs: 200, what: 'next start to answer /api/v1/health' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    pid,
    rssBytes: () => listProcessTree(pid).reduce((sum, member) => sum + (readRssBytes(member) ?? 0), 0),
    tail: () => lines.join('\n'),
    stop,
  };
}

/** Samples `read` every `intervalMs` until stopped; returns the largest value seen. */
export function samplePeak(read: () => number, intervalMs = 100): { stop(): number } {
  let peak = read();
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, read());
    },
  };
}
