import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { findTaskByKeys, insertStepDependencies, insertSteps, insertTaskUnlessDuplicate, insertTransitions } from '../../db/queries/tasks';
import { STEPS_READY_CHANNEL } from '../../db/queries/steps';
import type { TaskRow } from '../../db/schema';
import { InvalidInputError } from '../errors';
import type { TemplateDefinition } from '../templates/template-definition';
import { compileContextValidator } from '../validation';
import { getTemplateVersionOrThrow } from './get-template-version';

export type CreateTaskInput = {
  namespace: string;
  name: string;
  /** Omitted: the newest version. */
  version?: string | undefined;
  context: unknown;
  idempotencyKey?: string | undefined;
  correlationId?: string | undefined;
  actor?: string | undefined;
};

/**
 * Creates a task from a stored template version: the context is validated against the template's
 * schema (defaults applied, formats enforced), then the task, its steps and their dependencies are
 * written in one transaction. A matching idempotency key or identity returns the existing task
 * (`created: false`) instead of a second one.
 */
export async function createTask(db: Db, input: CreateTaskInput): Promise<{ task: TaskRow; created: boolean }> {
  const templateVersion = await getTemplateVersionOrThrow(db, input.namespace, input.name, input.version);
  const definition = templateVersion.definition as TemplateDefinition;
  const validated = compileContextValidator(definition.schema)(input.context);
  if (!validated.ok) {
    throw new InvalidInputError(
      validated.errors.map((detail) => ({ ...detail, path: `/context${detail.path}` })),
      `The context does not match the schema of ${definition.namespace}/${definition.name}@${definition.version}`,
    );
  }
  const context = validated.value;
  const identityKey = computeIdentityKey(definition, context);
  const keys = { namespace: definition.namespace, name: definition.name, idempotencyKey: input.idempotencyKey ?? null, identityKey };

  const existing = await findTaskByKeys(db, keys);
  if (existing) {
    return { task: existing, created: false };
  }
  const actor = input.actor ?? 'system';
  const result = await db.transaction(async (tx) => {
    const rootCount = definition.steps.filter((step) => step.dependsOn.length === 0).length;
    const task = await insertTaskUnlessDuplicate(tx, {
      templateVersionId: templateVersion.id,
      namespace: definition.namespace,
      name: definition.name,
      version: definition.version,
      status: 'pending',
      context,
      idempotencyKey: keys.idempotencyKey,
      identityKey,
      correlationId: input.correlationId ?? randomUUID(),
      unfinishedSteps: definition.steps.length,
      liveSteps: rootCount,
      createdBy: actor,
    });
    if (!task) {
      // Another request with the same key committed between our look-up and our insert.
      return undefined;
    }
    const insertedSteps = await insertSteps(
      tx,
      definition.steps.map((step, position) => ({
        taskId: task.id,
        name: step.name,
        position,
        handler: step.handler,
        handlerConfig: step.handlerConfig,
        service: step.service,
        status: step.dependsOn.length === 0 ? 'ready' : 'pending',
        retryable: step.retryable,
        skippable: step.skippable,
        retryLimit: step.retryable ? step.retryLimit : 1,
        timeoutSeconds: Math.ceil(step.timeoutSeconds),
        backoff: step.backoff,
        pendingDependencies: step.dependsOn.length,
        runAt: step.dependsOn.length === 0 ? sql`now()` : null,
      })),
    );
    const idByName = new Map(insertedSteps.map((step) => [step.name, step.id]));
    await insertStepDependencies(
      tx,
      definition.steps.flatMap((step) =>
        step.dependsOn.map((dependency) => ({ dependsOnStepId: idByName.get(dependency) as number, stepId: idByName.get(step.name) as number })),
      ),
    );
    await insertTransitions(tx, [
      { taskId: task.id, fromStatus: null, toStatus: 'pending', reason: `created from ${definition.namespace}/${definition.name}@${definition.version}`, actor },
      ...insertedSteps.map((step) => ({ taskId: task.id, stepId: step.id, fromStatus: null, toStatus: step.status, reason: 'task created', actor })),
    ]);
    await tx.execute(sql`select pg_notify(${STEPS_READY_CHANNEL}, '')`);
    return task;
  });
  if (result) {
    return { task: result, created: true };
  }
  const winner = await findTaskByKeys(db, keys);
  if (!winner) {
    throw new Error('a duplicate task was refused but cannot be found');
  }
  return { task: winner, created: false };
}

/** The template's identity fields, read from the context; two tasks with the same values are one. */
export function computeIdentityKey(definition: TemplateDefinition, context: Record<string, unknown>): string | null {
  if (definition.identityFields.length === 0) {
    return null;
  }
  const values = definition.identityFields.map((field) => readPath(context, field) ?? null);
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}

function readPath(value: unknown, dottedPath: string): unknown {
  let current = value;
  for (const key of dottedPath.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
