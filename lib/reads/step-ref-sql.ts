import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import { steps } from '../../db/schema';
import { parseId } from '../parse-id';

/**
 * The step of task `taskId` that a `{step}` path parameter names: by name, or by id when it reads as
 * one. Order by `nameFirst` and take one row: a step whose name looks like another step's id is found by its name.
 */
export function stepRefSql(taskId: number, stepRef: string): { where: SQL | undefined; nameFirst: SQL } {
  const stepId = parseId(stepRef);
  const byName = eq(steps.name, stepRef);
  return {
    where: and(eq(steps.taskId, taskId), stepId === undefined ? byName : or(eq(steps.id, stepId), byName)),
    nameFirst: sql`${steps.name} = ${stepRef} desc`,
  };
}
