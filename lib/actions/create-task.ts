import { createHash } from 'node:crypto';
import type { Db } from '../../db/client';
import type { NewStepOfTask } from '../../db/queries/task-batches';
import type { NewTransition, TaskKeyMatch } from '../../db/queries/tasks';
import type { TaskRow } from '../../db/schema';
import { isRecord } from '../api/is-record';
import { createCallCoalescer } from '../call-coalescer';
import { InvalidInputError } from '../errors';
import type { TemplateDefinition } from '../templates/template-definition';
import { compileContextValidator } from '../validation';
import { createTasksEach } from './create-tasks';

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
 * The template's `default_context` (Tasker's) with `context` merged over it: mappings key by key, any
 * other value of the request replacing the default. Without a default, the request as sent.
 */
function mergeUnder(defaults: Record<string, unknown> | undefined, context: unknown): unknown {
  if (defaults === undefined || !isRecord(context)) {
    return context === undefined && defaults !== undefined ? structuredClone(defaults) : context;
  }
  const merged: Record<string, unknown> = structuredClone(defaults);
  for (const [key, value] of Object.entries(context)) {
    const current = merged[key];
    merged[key] = isRecord(current) && isRecord(value) ? mergeUnder(current, value) : value;
  }
  return merged;
}

/**
 * The context a task of this template is created with: `default_context` under the request's, validated
 * against the template's schema (defaults applied, formats enforced); an InvalidInputError at `/context…`
 * when it does not match.
 */
export function validateTaskContext(definition: TemplateDefinition, context: unknown): Record<string, unknown> {
  const validated = compileContextValidator(definition.schema)(mergeUnder(definition.defaultContext, context));
  if (!validated.ok) {
    throw new InvalidInputError(
      validated.errors.map((detail) => ({ ...detail, path: `/context${detail.path}` })),
      `The context does not match the schema of ${definition.namespace}/${definition.name}@${definition.version}`,
    );
  }
  return validated.value;
}

/** The step rows of a new task: roots ready to run now, the others pending on their dependencies. */
export function stepRowsOf(definition: TemplateDefinition, taskId: number): NewStepOfTask[] {
  return definition.steps.map((step, position) => ({
    taskId,
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
    runNow: step.dependsOn.length === 0,
  }));
}

/** The dependency rows of a new task, from its steps' ids by name. */
export function dependencyRowsOf(
  definition: TemplateDefinition,
  idByName: ReadonlyMap<string, number>,
): { dependsOnStepId: number; stepId: number }[] {
  return definition.steps.flatMap((step) =>
    step.dependsOn.map((dependency) => ({ dependsOnStepId: idByName.get(dependency) as number, stepId: idByName.get(step.name) as number })),
  );
}

/** The audit rows of a new task: the task's creation, then each step's first status. */
export function creationTransitionsOf(
  definition: TemplateDefinition,
  taskId: number,
  insertedSteps: readonly { id: number; status: string }[],
  actor: string,
): NewTransition[] {
  return [
    {
      taskId,
      fromStatus: null,
      toStatus: 'pending',
      reason: `created from ${definition.namespace}/${definition.name}@${definition.version}`,
      actor,
    },
    ...insertedSteps.map((step) => ({ taskId, stepId: step.id, fromStatus: null, toStatus: step.status, reason: 'task created', actor })),
  ];
}

const creationCoalescers = new WeakMap<Db, (input: CreateTaskInput) => Promise<{ task: TaskRow; created: boolean }>>();

/**
 * Creates a task from a stored template version: the context is validated against the template's
 * schema (defaults applied, formats enforced), then the task, its steps and their dependencies are
 * written in one transaction. A matching idempotency key or identity returns the existing task
 * (`created: false`) instead of a second one; an idempotency key that a different request created its
 * task with is refused (InvalidInputError), since that task is not what this request asked for.
 *
 * Concurrent calls on one database are written together (createTasksEach, through one coalescer per
 * database): the calls made while the write before runs go in the next, in one transaction of
 * multi-row statements, each answered as if it had been made alone, its refusal its own.
 */
export function createTask(db: Db, input: CreateTaskInput): Promise<{ task: TaskRow; created: boolean }> {
  let create = creationCoalescers.get(db);
  if (!create) {
    create = createCallCoalescer((inputs: CreateTaskInput[]) => createTasksEach(db, inputs));
    creationCoalescers.set(db, create);
  }
  return create(input);
}

/**
 * The task found by an idempotency key, unless another request created it: a key names one request, and
 * answering a different one with its task would hide that this request was never carried out. Tasks
 * created before requests were digested have none and are returned. A match on identity fields is
 * returned whatever the request (shared/API.md: the same identity is the same task).
 */
export function refuseOtherRequest({ task, matchedBy }: TaskKeyMatch, requestDigest: string): TaskRow {
  if (matchedBy === 'idempotency_key' && task.requestDigest !== null && task.requestDigest !== requestDigest) {
    throw new InvalidInputError(
      [
        {
          path: '/idempotency_key',
          message: `was used for task ${task.id}, created by a request with a different namespace, name, version or context; send that request to get its task, or use a new key`,
        },
      ],
      'This Idempotency-Key was already used for a different request',
    );
  }
  return task;
}

/**
 * sha256 of the request as sent: namespace, name, version (null when left to the newest) and the context
 * before defaults, keys in sorted order. As sent, so that repeating a request matches even after a newer
 * template version (other defaults) was saved.
 */
export function computeRequestDigest(input: Pick<CreateTaskInput, 'namespace' | 'name' | 'version' | 'context'>): string {
  const request = [input.namespace, input.name, input.version ?? null, input.context ?? null];
  return createHash('sha256').update(toCanonicalJson(request)).digest('hex');
}

function toCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(toCanonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${toCanonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
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
