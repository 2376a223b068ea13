import { getRuntime, type Runtime } from '../runtime/host';

const OVERRIDE_KEY = Symbol.for('switchyard.routeRuntimeOverride');
type OverrideHolder = { [OVERRIDE_KEY]?: Runtime };

/** The runtime route handlers use: the process's one runtime, or the one a test put in its place. */
export function getRouteRuntime(): Promise<Runtime> {
  const override = (globalThis as OverrideHolder)[OVERRIDE_KEY];
  return override ? Promise.resolve(override) : getRuntime();
}

/** Test seam: route handlers called directly (vitest) run against this runtime; undefined restores the real one. */
export function setRouteRuntimeForTests(runtime: Runtime | undefined): void {
  (globalThis as OverrideHolder)[OVERRIDE_KEY] = runtime;
}
