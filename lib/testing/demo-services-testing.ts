import { afterAll, afterEach, beforeAll } from 'vitest';
import { startDemoServices, type DemoServices } from '../demo/demo-services';
import type { Orchestrator } from '../engine/runner';

export type DemoServicesForTests = {
  /** The demo services of this test file (started before its first test). */
  readonly demo: DemoServices;
  /** Orchestrators a test started: each is stopped after its test. */
  readonly running: Orchestrator[];
};

/**
 * The demo services for a test file that runs the registration story against them: started once before
 * its tests and closed after them; after each test, the orchestrators it started are stopped and every
 * service is reset (up, no records, no calls).
 */
export function setUpDemoServicesForTests(): DemoServicesForTests {
  let demo: DemoServices | undefined;
  const running: Orchestrator[] = [];
  beforeAll(async () => {
    demo = await startDemoServices({ port: 0 });
  });
  afterAll(async () => {
    await demo?.close();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
    demo?.state.reset();
  });
  return {
    get demo() {
      if (!demo) {
        throw new Error('the demo services start before the first test: read them inside a test or hook');
      }
      return demo;
    },
    running,
  };
}
