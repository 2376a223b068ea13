import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { insertTransitions } from '../../db/queries/tasks';
import { findTemplateVersionById } from '../../db/queries/template-versions';
import { steps, tasks } from '../../db/schema';
import type { ContextChange, TaskDetail } from '../api/types';
import { ConflictError, InvalidInputError } from '../errors';
import { getTaskDetailOrThrow } from '../reads/get-task-detail';
import { canEditTaskContext } from '../statuses';
import type { TemplateDefinition } from '../templates/template-definition';
import { compileContextValidator, joinPointer } from '../validation';
import { computeIdentityKey } from './create-task';
import { lockTaskForActionOrThrow, type ActionActor } from './load-task-for-action';
import { makeStepReadyAgain } from './retry-step';

const MAX_CHANGES_RECORDED = 500;

function isUniqueViolation(error: unknown): boolean {
  for (
    let current = error;
    current instanceof Error || (current !== null && typeof current === 'object');
    current = (current as { cause?: unknown }).cause
  ) {
    if ((current as { code?: unknown }).code === '23505') {
      return true;
    }
    if (!(current as { cause?: unknown }).cause) {
      return false;
    }
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => isDeepEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && isDeepEqual(a[key], b[key]));
  }
  return false;
}

/** The changed leaves between two JSON values, as JSON Pointer paths; arrays count as leaves. */
export function diffJson(before: unknown, after: unknown, path = ''): ContextChange[] {
  if (isDeepEqual(before, after)) {
    return [];
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) =>
      diffJson(Object.hasOwn(before, key) ? before[key] : undefined, Object.hasOwn(after, key) ? after[key] : undefined, joinPointer(path, key)),
    );
  }
  return [{ path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) }];
}

/**
 * Replaces the context of a task in error, then retries its failed steps: for a task that failed on bad
 * input (a rejected e-mail address, say). The new context is validated against the schema of the
 * template version the task pinned; the change is recorded with its diff and the operator's reason.
 * All of it is one transaction: a refused edit writes nothing.
 */
export async function editTaskContext(
  db: Db,
  { taskId, context, actor, reason }: { taskId: number; context: unknown; reason: string } & ActionActor,
): Promise<TaskDetail> {
  await db.transaction(async (tx) => {
    let task = await lockTaskForActionOrThrow(tx, taskId, 'edit the context');
    if (!canEditTaskContext(task.status)) {
      throw new ConflictError(`Task ${task.id} is ${task.status}; only a task in error can have its context edited`);
    }
    const templateVersion = await findTemplateVersionById(tx, task.templateVersionId);
    if (!templateVersion) {
      throw new Error(`task ${task.id} pins template version ${task.templateVersionId}, which is missing`);
    }
    const definition = templateVersion.definition as TemplateDefinition;
    const validated = compileContextValidator(definition.schema)(context);
    if (!validated.ok) {
      throw new InvalidInputError(
        validated.errors.map((detail) => ({ ...detail, path: `/context${detail.path}` })),
        `The context does not match the schema of ${definition.namespace}/${definition.name}@${definition.version}`,
      );
    }
    const changes = diffJson(task.context, validated.value);
    if (changes.length === 0) {
      throw new InvalidInputError([
        { path: '/context', message: 'is the same as the current context; POST /tasks/{id}/retry retries without a change' },
      ]);
    }
    const identityKey = computeIdentityKey(definition, validated.value);
    if (identityKey !== null && identityKey !== task.identityKey) {
      const [twin] = await tx
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(eq(tasks.namespace, task.namespace), eq(tasks.name, task.name), eq(tasks.identityKey, identityKey), ne(tasks.id, task.id)));
      if (twin) {
        throw new ConflictError(`Task ${twin.id} already has these identity fields (${definition.identityFields.join(', ')})`, [
          { path: '/context', message: `matches the identity of task ${twin.id}` },
        ]);
      }
    }
    try {
      await tx
        .update(tasks)
        .set({ context: validated.value, identityKey, updatedAt: sql`now()` })
        .where(eq(tasks.id, task.id));
    } catch (error) {
      // A task with the same identity was created since the check above.
      if (isUniqueViolation(error)) {
        throw new ConflictError('Another task already has these identity fields', [
          { path: '/context', message: 'matches the identity of another task' },
        ]);
      }
      throw error;
    }
    await insertTransitions(tx, [
      {
        taskId: task.id,
        fromStatus: task.status,
        toStatus: task.status,
        reason: `context edited: ${reason}`,
        actor,
        details: {
          context_changes: changes.slice(0, MAX_CHANGES_RECORDED),
          ...(changes.length > MAX_CHANGES_RECORDED ? { changes_not_recorded: changes.length - MAX_CHANGES_RECORDED } : {}),
        },
      },
    ]);
    const failed = await tx
      .select()
      .from(steps)
      .where(and(eq(steps.taskId, task.id), eq(steps.status, 'error')))
      .orderBy(asc(steps.position))
      .for('update');
    for (const step of failed) {
      await makeStepReadyAgain(tx, task, step, { actor, reason: `retried after the context was edited: ${reason}` });
      task = { ...task, status: task.status === 'error' ? 'in_progress' : task.status };
    }
  });
  return getTaskDetailOrThrow(db, taskId);
}
