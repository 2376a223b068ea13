import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import zlib from 'node:zlib';

/**
 * The JavaScript each page of the dashboard loads on its first visit, read from a `next build`'s
 * manifests, and its budget. `npx tsx scripts/check-js-budget.ts [buildDir]` (default `.next`) prints
 * every route and exits 1, with one line per route over its budget, when any is; `npm test` runs it
 * after the build (scripts/run-all-tests.ts).
 *
 * A route's first load is the framework's files (`rootMainFiles` of the route's build-manifest.json)
 * and the client files of its layouts and page (`entryJSFiles` of its client reference manifest).
 * Chunks loaded later (next/dynamic, import()) are not counted: that is the point of splitting them.
 * Sizes are gzip (what `next start` sends), level 9.
 */

/** gzip bytes allowed per route's first load; a route not listed gets DEFAULT_BUDGET_BYTES. */
const JS_BUDGETS: Readonly<Record<string, number>> = {
  // The task page draws the graph (React Flow and dagre, ≈ 80 KB) as soon as it opens.
  '/tasks/[taskId]': 260 * 1024,
};
const DEFAULT_BUDGET_BYTES = 175 * 1024;

type RouteJavaScript = { route: string; files: string[]; rawBytes: number; gzipBytes: number };

type ClientReferenceManifest = { entryJSFiles?: Record<string, string[]> };

function listFiles(directory: string): string[] {
  if (!fs.existsSync(directory)) {
    return [];
  }
  return fs
    .readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(directory, entry.name)) : [path.join(directory, entry.name)]));
}

/** Runs a `*_client-reference-manifest.js` (it assigns `globalThis.__RSC_MANIFEST[page]`) in a sandbox and returns what it assigned. */
function readClientReferenceManifest(file: string): [string, ClientReferenceManifest][] {
  const sandbox: { __RSC_MANIFEST?: Record<string, ClientReferenceManifest> } = {};
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), sandbox, { filename: file });
  return Object.entries(sandbox.__RSC_MANIFEST ?? {});
}

/** `/tasks/[taskId]/page` → `/tasks/[taskId]`; `/page` → `/`. */
function toRoute(page: string): string {
  const route = page.replace(/\/page$/, '');
  return route === '' ? '/' : route;
}

/** Every page route of the build with the JavaScript of its first load, sorted by route. Throws when the build is missing. */
export function readRouteJavaScript(buildDir: string): RouteJavaScript[] {
  const appDir = path.join(buildDir, 'server/app');
  const manifests = listFiles(appDir).filter((file) => file.endsWith('page_client-reference-manifest.js'));
  if (manifests.length === 0) {
    throw new Error(`No client reference manifests under ${appDir}: run \`next build\` first`);
  }
  const sizes = new Map<string, { raw: number; gzip: number }>();
  const sizeOf = (file: string) => {
    let size = sizes.get(file);
    if (!size) {
      const bytes = fs.readFileSync(path.join(buildDir, file));
      size = { raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
      sizes.set(file, size);
    }
    return size;
  };
  const routes: RouteJavaScript[] = [];
  for (const manifestFile of manifests) {
    const buildManifestFile = manifestFile.replace(/page_client-reference-manifest\.js$/, 'page/build-manifest.json');
    const rootMainFiles = fs.existsSync(buildManifestFile)
      ? ((JSON.parse(fs.readFileSync(buildManifestFile, 'utf8')) as { rootMainFiles?: string[] }).rootMainFiles ?? [])
      : [];
    for (const [page, manifest] of readClientReferenceManifest(manifestFile)) {
      if (page.startsWith('/_')) {
        continue; // Next.js's own error pages
      }
      const files = new Set(rootMainFiles);
      for (const [entry, entryFiles] of Object.entries(manifest.entryJSFiles ?? {})) {
        // The app's layouts and the page; not Next.js's built-in global error page, loaded only on a crash.
        if (entry.startsWith('[project]/app/')) {
          entryFiles.forEach((file) => files.add(file.replace(/^\/_next\//, '')));
        }
      }
      const list = [...files].filter((file) => file.endsWith('.js'));
      routes.push({
        route: toRoute(page),
        files: list,
        rawBytes: list.reduce((sum, file) => sum + sizeOf(file).raw, 0),
        gzipBytes: list.reduce((sum, file) => sum + sizeOf(file).gzip, 0),
      });
    }
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** One message per route whose first load is over its budget. */
export function findRoutesOverBudget(
  routes: RouteJavaScript[],
  budgets: Readonly<Record<string, number>> = JS_BUDGETS,
  defaultBudget = DEFAULT_BUDGET_BYTES,
): string[] {
  return routes.flatMap(({ route, gzipBytes, files }) => {
    const budget = budgets[route] ?? defaultBudget;
    return gzipBytes > budget
      ? [
          `${route} loads ${kb(gzipBytes)} of JavaScript (gzip, ${files.length} files) on its first visit: over its budget of ${kb(budget)} by ${kb(gzipBytes - budget)}. ` +
            'Load what the page does not need at once with next/dynamic, or raise its budget in scripts/check-js-budget.ts if the page needs it.',
        ]
      : [];
  });
}

function main(): number {
  const buildDir = path.resolve(process.argv[2] ?? '.next');
  const routes = readRouteJavaScript(buildDir);
  console.log('JavaScript per route, first visit (gzip / raw / budget):');
  for (const { route, gzipBytes, rawBytes } of routes) {
    console.log(
      `  ${route.padEnd(32)} ${kb(gzipBytes).padStart(10)} ${kb(rawBytes).padStart(10)} ${kb(JS_BUDGETS[route] ?? DEFAULT_BUDGET_BYTES).padStart(10)}`,
    );
  }
  const over = findRoutesOverBudget(routes);
  for (const message of over) {
    console.error(`JS budget: ${message}`);
  }
  console.log(over.length === 0 ? 'JS budget: every route within its budget' : `JS budget: ${over.length} route(s) over budget`);
  return over.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main();
}
