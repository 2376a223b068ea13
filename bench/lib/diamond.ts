import type { Db } from '../../db/client';
import type { TemplateVersionRow } from '../../db/schema';
import { getTemplateVersionOrThrow } from '../../lib/reads/get-template-version';
import { saveTestTemplate } from '../../lib/testing/task-testing';

export const DIAMOND = { namespace: 'bench', name: 'diamond' } as const;
export const DIAMOND_STEP_COUNT = 5;

/** The five-step diamond A → {B, C} → D → E, every step a no-op: the orchestrator's own cost per step. */
export async function saveDiamondTemplate(db: Db): Promise<TemplateVersionRow> {
  await saveTestTemplate(db, {
    ...DIAMOND,
    steps: [
      { name: 'a', handler: 'test.noop' },
      { name: 'b', handler: 'test.noop', dependsOn: ['a'] },
      { name: 'c', handler: 'test.noop', dependsOn: ['a'] },
      { name: 'd', handler: 'test.noop', dependsOn: ['b', 'c'] },
      { name: 'e', handler: 'test.noop', dependsOn: ['d'] },
    ],
  });
  return getTemplateVersionOrThrow(db, DIAMOND.namespace, DIAMOND.name);
}

/** The service every step of the limited diamond names; it is never called (the steps are no-ops). */
export const LIMITED_SERVICE = 'bench';
export const LIMITED_DIAMOND = { namespace: 'bench', name: 'diamond_limited' } as const;

/**
 * Limits on LIMITED_SERVICE that never bind at the figures this machine reaches (a few thousand steps/s)
 * but are kept by every claim: the rate at its allowed maximum (10,000/s), and 10,000 at once. Given to
 * the worker processes as environment variables, to the in-process orchestrator as its serviceLimits.
 */
export const NEVER_BINDING_LIMITS = { ratePerSecond: 10_000, maxConcurrency: 10_000 } as const;
export const LIMITED_SERVICE_ENV: Record<string, string> = {
  SERVICE_BENCH_URL: 'http://127.0.0.1:9',
  SERVICE_BENCH_RATE_PER_SECOND: String(NEVER_BINDING_LIMITS.ratePerSecond),
  SERVICE_BENCH_MAX_CONCURRENCY: String(NEVER_BINDING_LIMITS.maxConcurrency),
};

/** The same diamond with every step on LIMITED_SERVICE: each claim takes its rate and concurrency limits. */
export async function saveLimitedDiamondTemplate(db: Db): Promise<TemplateVersionRow> {
  await saveTestTemplate(db, {
    ...LIMITED_DIAMOND,
    steps: [
      { name: 'a', handler: 'test.noop', service: LIMITED_SERVICE },
      { name: 'b', handler: 'test.noop', service: LIMITED_SERVICE, dependsOn: ['a'] },
      { name: 'c', handler: 'test.noop', service: LIMITED_SERVICE, dependsOn: ['a'] },
      { name: 'd', handler: 'test.noop', service: LIMITED_SERVICE, dependsOn: ['b', 'c'] },
      { name: 'e', handler: 'test.noop', service: LIMITED_SERVICE, dependsOn: ['d'] },
    ],
  });
  return getTemplateVersionOrThrow(db, LIMITED_DIAMOND.namespace, LIMITED_DIAMOND.name);
}
