import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Builds the Next.js app when there is no build, or when a source file is newer than it, so that
 * `npm install && npm start` works on a fresh clone and after a `git pull`.
 */
const root = process.cwd();
const buildIdFile = path.join(root, '.next/BUILD_ID');
const SOURCE_ROOTS = ['app', 'components', 'lib', 'db', 'instrumentation.ts', 'proxy.ts', 'next.config.js', 'package.json', 'tsconfig.json'];

function newestSourceTime(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) {
    return 0;
  }
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  return fs.readdirSync(entry).reduce((newest, child) => Math.max(newest, newestSourceTime(path.join(entry, child))), stat.mtimeMs);
}

export function isBuildStale(): boolean {
  const build = fs.statSync(buildIdFile, { throwIfNoEntry: false });
  if (!build) {
    return true;
  }
  return SOURCE_ROOTS.some((entry) => newestSourceTime(path.join(root, entry)) > build.mtimeMs);
}

if (isBuildStale()) {
  console.log('Building the dashboard (next build); this takes a minute the first time…');
  const result = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}
