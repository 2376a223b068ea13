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
