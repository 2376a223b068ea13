import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findRoutesOverBudget, readRouteJavaScript } from './check-js-budget';

/** A build directory shaped as `next build` leaves it: per route, a client reference manifest and a build manifest, and the chunks. */
function writeFakeBuild(chunks: Record<string, number>, routes: Record<string, string[]>): string {
  const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'js-budget-'));
  for (const [file, size] of Object.entries(chunks)) {
    fs.mkdirSync(path.dirname(path.join(buildDir, file)), { recursive: true });
    // Random bytes: gzip cannot shrink them, so the gzip size is about the raw size.
    fs.writeFileSync(path.join(buildDir, file), Buffer.from(Array.from({ length: size }, () => Math.floor(Math.random() * 256))));
  }
  for (const [route, files] of Object.entries(routes)) {
    const dir = path.join(buildDir, 'server/app', route);
    const page = `${route === '' ? '' : `/${route}`}/page`;
    fs.mkdirSync(path.join(dir, 'page'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'page/build-manifest.json'), JSON.stringify({ rootMainFiles: ['static/chunks/framework.js'] }));
    const manifest = {
      entryJSFiles: {
        '[project]/app/layout': ['static/chunks/layout.js'],
        [`[project]/app${page}`]: files,
        '[project]/node_modules/next/dist/client/components/builtin/global-error': ['static/chunks/global-error.js'],
      },
    };
    fs.writeFileSync(
      path.join(dir, 'page_client-reference-manifest.js'),
      `globalThis.__RSC_MANIFEST = globalThis.__RSC_MANIFEST || {};\nglobalThis.__RSC_MANIFEST[${JSON.stringify(page)}] = ${JSON.stringify(manifest)};`,
    );
  }
  return buildDir;
}

const buildDirs: string[] = [];
afterEach(() => {
  for (const dir of buildDirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('the JavaScript budget per route', () => {
  it("counts the framework, the layout and the page's files of each route, not the built-in error page", () => {
    const buildDir = writeFakeBuild(
      { 'static/chunks/framework.js': 1000, 'static/chunks/layout.js': 500, 'static/chunks/global-error.js': 7000, 'static/chunks/list.js': 200 },
      { tasks: ['static/chunks/list.js'] },
    );
    buildDirs.push(buildDir);
    const [route] = readRouteJavaScript(buildDir);
    expect(route).toMatchObject({ route: '/tasks', rawBytes: 1700 });
    expect(route?.files.sort()).toEqual(['static/chunks/framework.js', 'static/chunks/layout.js', 'static/chunks/list.js']);
  });

  it('names each route over its budget, with its size and its budget, and passes the others', () => {
    const buildDir = writeFakeBuild(
      { 'static/chunks/framework.js': 1000, 'static/chunks/layout.js': 500, 'static/chunks/editor.js': 40_000, 'static/chunks/list.js': 200 },
      { tasks: ['static/chunks/list.js'], 'templates/new': ['static/chunks/editor.js'] },
    );
    buildDirs.push(buildDir);
    const routes = readRouteJavaScript(buildDir);
    expect(routes.map((route) => route.route)).toEqual(['/tasks', '/templates/new']);

    const over = findRoutesOverBudget(routes, { '/tasks': 10 * 1024 }, 20 * 1024);
    expect(over).toHaveLength(1);
    expect(over[0]).toMatch(/^\/templates\/new loads 4\d\.\d KB of JavaScript \(gzip, 3 files\) on its first visit: over its budget of 20\.0 KB by/);
    expect(findRoutesOverBudget(routes, { '/templates/new': 50 * 1024 }, 20 * 1024)).toEqual([]);
  });

  it('refuses a directory without a build', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'js-budget-'));
    buildDirs.push(empty);
    expect(() => readRouteJavaScript(empty)).toThrow(/run `next build` first/);
  });
});
