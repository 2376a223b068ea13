import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from '@playwright/test';
import { readRouteJavaScript } from './check-js-budget';

/**
 * `npm run bench:paint`: first paint of the dashboard in Chromium with a cold cache, from the built app.
 *
 * For each app directory given (`--app label=dir`, default: this checkout as `current`; each needs its
 * `next build`), starts `next start` on its own port with a fresh embedded database in a temporary
 * DATA_DIR (E2E=1 for the fixture templates, orchestrator and demo services off), creates `--tasks`
 * one-step tasks and one 200-step task through the API, then, sample after sample (apps interleaved), opens
 * each page in a new browser context (empty cache, no cookies) and reads on the page's own clock:
 * - `/tasks`: navigation start → the first frame with a row of the task list in the document;
 * - `/tasks/{id}` of the 200-step task: navigation start → the first frame with all 200 nodes and their
 *   edges in the graph, none hidden.
 * Prints p50/p95 per app and page, the JavaScript each page downloaded (compressed bytes, from resource
 * timing) and the JavaScript per route from the build's manifests (scripts/check-js-budget.ts).
 *
 *   npm run bench:paint -- --samples 15
 *   npm run bench:paint -- --app before=/tmp/base --app after=. --samples 20
 */
const { values } = parseArgs({
  options: {
    app: { type: 'string', multiple: true },
    samples: { type: 'string', default: '10' },
    tasks: { type: 'string', default: '300' },
    port: { type: 'string', default: '3300' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    json: { type: 'string' },
  },
});

const SAMPLES = Number(values.samples);
const TASKS = Number(values.tasks);
const FIRST_PORT = Number(values.port);
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type App = { label: string; dir: string; port: number; dataDir: string; server?: ChildProcess; taskId?: string; edges?: number };
type Sample = { paintMs: number; firstByteMs: number; htmlDoneMs: number; scriptBytes: number; htmlBytes: number };
type PageKind = 'tasks' | 'task';

const apps: App[] = (values.app ?? ['current=.']).map((spec, index) => {
  const [label = '', dir = ''] = spec.includes('=') ? spec.split(/=(.*)/s) : [`app${index + 1}`, spec];
  const resolved = path.resolve(dir);
  if (!fs.existsSync(path.join(resolved, '.next/BUILD_ID'))) {
    throw new Error(`${resolved} has no build: run \`npm run build\` there first`);
  }
  return { label, dir: resolved, port: FIRST_PORT + index, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `switchyard-paint-${label}-`)) };
});

function startServer(app: App): void {
  // Each app's own Next.js, as its build expects.
  const nextCli = createRequire(path.join(app.dir, 'package.json')).resolve('next/dist/bin/next');
  app.server = spawn(process.execPath, [nextCli, 'start', '--port', String(app.port), '--hostname', '127.0.0.1'], {
    cwd: app.dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      E2E: '1',
      DATA_DIR: app.dataDir,
      DATABASE_URL: '',
      ADMIN_TOKEN: '',
      ORCHESTRATOR: 'off',
      DEMO_SERVICES: 'off',
      LOG_LEVEL: 'warn',
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(app.port),
    },
  });
}

async function waitForHealth(app: App): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (app.server?.exitCode !== null) {
      throw new Error(`${app.label}: the server stopped (exit ${app.server?.exitCode})`);
    }
    const healthy = await fetch(`http://127.0.0.1:${app.port}/api/v1/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${app.label}: no answer from /api/v1/health within 180 s`);
}

async function createTask(app: App, name: string, context: unknown): Promise<{ id: string }> {
  const response = await fetch(`http://127.0.0.1:${app.port}/api/v1/tasks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ namespace: 'e2e_dashboard', name, context }),
  });
  if (!response.ok) {
    throw new Error(`${app.label}: POST /api/v1/tasks ${name} answered ${response.status}: ${await response.text()}`);
  }
  return (await response.json()) as { id: string };
}

/** A few hundred one-step tasks for the list, then the 200-step task (the newest). */
async function seed(app: App): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < TASKS) {
      const index = next++;
      await createTask(app, 'many_tasks', { item: { email: `paint-${index}@example.com`, batch: 'paint' } });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const task = await createTask(app, 'two_hundred_steps', {});
  const detail = (await (await fetch(`http://127.0.0.1:${app.port}/api/v1/tasks/${task.id}`)).json()) as {
    steps: { depends_on: string[] }[];
  };
  app.taskId = task.id;
  app.edges = detail.steps.reduce((sum, step) => sum + step.depends_on.length, 0);
}

/**
 * Installed before the page's own scripts: checks the document once per frame and keeps the page's clock
 * (ms since navigation start) at the first frame where what is measured is there. A string, not a
 * function: tsx would wrap a function's inner functions in a helper the page does not have.
 */
function probeScript(kind: PageKind, steps: number, edges: number): string {
  return `(() => {
    const kind = ${JSON.stringify(kind)}, steps = ${steps}, edges = ${edges};
    const isShown = () => {
      if (kind === 'tasks') {
        return document.querySelector('[data-testid="task-table"] tbody tr[data-task-id]') !== null;
      }
      const graph = document.querySelector('[data-testid="task-graph"]');
      if (!graph) return false;
      const nodes = [...graph.querySelectorAll('.react-flow__node')];
      return nodes.length === steps && nodes.every((node) => node.style.visibility !== 'hidden')
        && graph.querySelectorAll('.react-flow__edge').length === edges;
    };
    const tick = () => {
      if (isShown()) window.__paintedAt = performance.now();
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })();`;
}

async function measure(browser: Browser, app: App, kind: PageKind): Promise<Sample> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript({ content: probeScript(kind, 200, app.edges ?? 0) });
    const url = kind === 'tasks' ? '/tasks' : `/tasks/${app.taskId}`;
    await page.goto(`http://127.0.0.1:${app.port}${url}`, { waitUntil: 'commit' });
    const painted = await page
      .waitForFunction(() => (window as unknown as { __paintedAt?: number }).__paintedAt, undefined, { polling: 50, timeout: 30_000 })
      .catch(async (error: unknown) => {
        const seen = await page.evaluate(() => ({
          rows: document.querySelectorAll('[data-testid="task-table"] tbody tr').length,
          nodes: document.querySelectorAll('[data-testid="task-graph"] .react-flow__node').length,
          hidden: [...document.querySelectorAll<HTMLElement>('[data-testid="task-graph"] .react-flow__node')].filter(
            (node) => node.style.visibility === 'hidden',
          ).length,
          edges: document.querySelectorAll('[data-testid="task-graph"] .react-flow__edge').length,
        }));
        throw new Error(`${app.label} ${url}: not drawn within 30 s (seen: ${JSON.stringify(seen)})`, { cause: error });
      });
    const paintMs = (await painted.jsonValue()) as number;
    // The page's scripts counted once they have all loaded (the first row may well come before).
    await page.waitForLoadState('load');
    const { scriptBytes, htmlBytes, firstByteMs, htmlDoneMs } = await page.evaluate(() => {
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return {
        scriptBytes: resources.filter((entry) => entry.initiatorType === 'script').reduce((sum, entry) => sum + entry.encodedBodySize, 0),
        htmlBytes: navigation?.encodedBodySize ?? 0,
        firstByteMs: navigation?.responseStart ?? NaN,
        htmlDoneMs: navigation?.responseEnd ?? NaN,
      };
    });
    return { paintMs, firstByteMs, htmlDoneMs, scriptBytes, htmlBytes };
  } finally {
    await context.close();
  }
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

async function main() {
  console.log(`first paint, cold cache, ${SAMPLES} samples per app and page; apps: ${apps.map((app) => `${app.label}=${app.dir}`).join(', ')}`);
  apps.forEach(startServer);
  const stopAll = () => apps.forEach((app) => app.server?.kill('SIGTERM'));
  process.on('SIGINT', () => {
    stopAll();
    process.exit(130);
  });
  try {
    for (const app of apps) {
      await waitForHealth(app);
      const started = performance.now();
      await seed(app);
      console.log(
        `${app.label}: seeded ${TASKS} tasks and 200-step task #${app.taskId} (${app.edges} edges) in ${Math.round(performance.now() - started)} ms`,
      );
    }
    const browser = await chromium.launch({ executablePath: values.chromium, args: CHROMIUM_ARGS });
    const results = new Map<string, Sample[]>();
    try {
      // Two rounds unrecorded: the servers load each route's code on its first request.
      for (let round = -2; round < SAMPLES; round++) {
        const order = round % 2 === 0 ? apps : [...apps].reverse();
        for (const app of order) {
          for (const kind of ['tasks', 'task'] as const) {
            const sample = await measure(browser, app, kind);
            if (round >= 0) {
              const key = `${app.label}\t${kind}`;
              results.set(key, [...(results.get(key) ?? []), sample]);
            }
          }
        }
      }
    } finally {
      await browser.close();
    }
    console.log('\napp\tpage\tp50 ms\tp95 ms\tmin ms\tfirst byte p50\tHTML done p50\tJS downloaded\tHTML');
    const summary: Record<string, unknown>[] = [];
    for (const [key, samples] of results) {
      const [label, kind] = key.split('\t');
      const times = samples.map((sample) => sample.paintMs).sort((a, b) => a - b);
      const row = {
        app: label,
        page: kind === 'tasks' ? '/tasks (first row)' : '/tasks/{id} (200-step graph drawn)',
        p50: Math.round(percentile(times, 50)),
        p95: Math.round(percentile(times, 95)),
        min: Math.round(times[0] ?? NaN),
        firstByteP50: Math.round(
          percentile(
            samples.map((sample) => sample.firstByteMs).sort((a, b) => a - b),
            50,
          ),
        ),
        htmlDoneP50: Math.round(
          percentile(
            samples.map((sample) => sample.htmlDoneMs).sort((a, b) => a - b),
            50,
          ),
        ),
        scriptBytes: samples[0]?.scriptBytes ?? 0,
        htmlBytes: samples[0]?.htmlBytes ?? 0,
      };
      summary.push(row);
      console.log(
        `${row.app}\t${row.page}\t${row.p50}\t${row.p95}\t${row.min}\t${row.firstByteP50}\t${row.htmlDoneP50}\t${kb(row.scriptBytes)}\t${kb(row.htmlBytes)}`,
      );
    }
    for (const app of apps) {
      console.log(`\n${app.label}: JavaScript per route, from the build (gzip / raw)`);
      for (const route of readRouteJavaScript(path.join(app.dir, '.next'))) {
        console.log(`  ${route.route.padEnd(34)} ${kb(route.gzipBytes).padStart(8)} ${kb(route.rawBytes).padStart(9)}`);
      }
    }
    if (values.json) {
      fs.writeFileSync(values.json, JSON.stringify(summary, null, 2));
    }
  } finally {
    stopAll();
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const app of apps) {
      fs.rmSync(app.dataDir, { recursive: true, force: true });
    }
  }
}

await main();
