import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { STEPS_READY_CHANNEL } from '../../db/queries/steps';
import { findTasksByAnyKeys, insertStepsOfTasks, insertTasksUnlessDuplicate, type TaskKeys } from '../../db/queries/task-batches';
import { insertStepDependencies, insertTransitions, type NewTask } from '../../db/queries/tasks';
import type { TaskRow, TemplateVersionRow } from '../../db/schema';
import { MAX_BATCH_TASKS } from '../api/schemas/request-schemas';
import { AppError, InvalidInputError, NotFoundError, type ErrorDetail } from '../errors';
import { getTemplateVersionOrThrow } from '../reads/get-template-version';
import type { TemplateDefinition } from '../templates/template-definition';
import {
  computeIdentityKey,
  computeRequestDigest,
  creationTransitionsOf,
  dependencyRowsOf,
  refuseOtherRequest,
  stepRowsOf,
  validateTaskContext,
} from './create-task';

export type CreateTasksItem = {
  namespace: string;
  name: string;
  /** Omitted: the newest version. */
  version?: string | undefined;
  context: unknown;
  idempotencyKey?: string | undefined;
};

export type CreatedTasksItem = { index: number; task: TaskRow; created: boolean };

type CheckedItem = {
  index: number;
  templateVersion: TemplateVersionRow;
  definition: TemplateDefinition;
  context: Record<string, unknown>;
  keys: TaskKeys;
  requestDigest: string;
};

/** Each item's answer: an existing task, a task of this batch (by its index among the new ones), or refused. */
type Plan = { kind: 'existing'; task: TaskRow } | { kind: 'new'; newIndex: number };

/** Rounds of look-up and insert, as createTask: a round that loses a race to another request starts again. */
const MAX_CREATE_ROUNDS = 3;

class LostRace extends Error {}

/**
 * Creates many tasks at once, as createTask creates one, all or none: every item is checked as POST /tasks
 * checks it (its template exists, its context matches the template's schema with defaults, its
 * idempotency key was not used for another request); when any item is refused, nothing is written and
 * the InvalidInputError lists each problem under `/tasks/<index>`. Otherwise the new tasks, their steps,
 * dependencies and audit rows are written in ONE transaction with multi-row statements, and the
 * orchestrators are woken once.
 *
 * The items are taken as if sent one after another in their order: an item whose idempotency key or
 * identity matches an existing task answers that task (`created: false`); an item that matches an
 * earlier item of the same batch answers the task that item creates (or found), also `created: false`;
 * an item repeating an earlier item's idempotency key with a different request is refused, as POST /tasks
 * refuses it.
 */
export async function createTasks(
  db: Db,
  items: readonly CreateTasksItem[],
  { actor = 'system' }: { actor?: string } = {},
): Promise<CreatedTasksItem[]> {
  if (items.length === 0 || items.length > MAX_BATCH_TASKS) {
    throw new InvalidInputError([{ path: '/tasks', message: `must hold 1 to ${MAX_BATCH_TASKS} tasks` }]);
  }
  const problems: ErrorDetail[] = [];
  const checked = await checkItems(db, items, problems);

  for (let round = 1; ; round += 1) {
    const existing = await findTasksByAnyKeys(
      db,
      checked.flatMap((item) => (item ? [item.keys] : [])),
    );
    const roundProblems = [...problems];
    const { plans, newItems } = planItems(checked, existing, roundProblems);
    if (roundProblems.length > 0) {
      const refused = new Set(roundProblems.map((problem) => problem.path.split('/')[2])).size;
      throw new InvalidInputError(
        roundProblems.sort((a, b) => indexOfPath(a.path) - indexOfPath(b.path)),
        `${refused} of ${items.length} tasks are invalid; none was created`,
      );
    }
    try {
      const createdTasks = newItems.length === 0 ? [] : await insertAll(db, newItems, actor);
      return plans.map((plan, index) =>
        plan.kind === 'existing'
          ? { index, task: plan.task, created: false }
          : { index, task: createdTasks[plan.newIndex] as TaskRow, created: newItems[plan.newIndex]?.index === index },
      );
    } catch (error) {
      if (!(error instanceof LostRace) && !isDeadlock(error)) {
        throw error;
      }
      // Another request took one of the keys between the look-up and the insert (or deadlocked with this one): look again.
      if (round === MAX_CREATE_ROUNDS) {
        throw new Error(`tasks with the same idempotency keys or identities kept being created (${MAX_CREATE_ROUNDS} rounds)`);
      }
    }
  }
}

/** PostgreSQL's deadlock_detected (40P01), on the error or a cause of it. */
function isDeadlock(error: unknown): boolean {
  for (let current = error; current !== null && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === '40P01') {
      return true;
    }
  }
  return false;
}

function indexOfPath(path: string): number {
  return Number(path.split('/')[2] ?? 0);
}

/** Each item's template and validated context; problems under `/tasks/<index>`; undefined for a refused item. */
async function checkItems(db: Db, items: readonly CreateTasksItem[], problems: ErrorDetail[]): Promise<(CheckedItem | undefined)[]> {
  const templates = new Map<string, TemplateVersionRow | ErrorDetail[]>();
  const checked: (CheckedItem | undefined)[] = [];
  for (const [index, item] of items.entries()) {
    const prefix = `/tasks/${index}`;
    const templateKey = JSON.stringify([item.namespace, item.name, item.version ?? null]);
    let template = templates.get(templateKey);
    if (template === undefined) {
      template = await getTemplateVersionOrThrow(db, item.namespace, item.name, item.version).catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) {
          throw error;
        }
        return [{ path: item.version === undefined ? '/name' : '/version', message: error.message }];
      });
      templates.set(templateKey, template);
    }
    if (Array.isArray(template)) {
      problems.push(...template.map((detail) => ({ ...detail, path: `${prefix}${detail.path}` })));
      checked.push(undefined);
      continue;
    }
    const definition = template.definition as TemplateDefinition;
    try {
      const context = validateTaskContext(definition, item.context, prefix);
      checked.push({
        index,
        templateVersion: template,
        definition,
        context,
        keys: {
          namespace: definition.namespace,
          name: definition.name,
          idempotencyKey: item.idempotencyKey ?? null,
          identityKey: computeIdentityKey(definition, context),
        },
        requestDigest: computeRequestDigest(item),
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) {
        throw error;
      }
      problems.push(...error.details);
      checked.push(undefined);
    }
  }
  return checked;
}

/** What each item answers, in order (see createTasks), and the items that create a task. */
function planItems(
  checked: readonly (CheckedItem | undefined)[],
  existing: { byKey: TaskRow[]; byIdentity: TaskRow[] },
  problems: ErrorDetail[],
): { plans: Plan[]; newItems: CheckedItem[] } {
  const keyOf = (namespace: string, name: string, key: string) => JSON.stringify([namespace, name, key]);
  const storedByKey = new Map(existing.byKey.map((task) => [keyOf(task.namespace, task.name, task.idempotencyKey ?? ''), task]));
  const storedByIdentity = new Map(existing.byIdentity.map((task) => [keyOf(task.namespace, task.name, task.identityKey ?? ''), task]));
  const batchByKey = new Map<string, { plan: Plan; index: number; requestDigest: string }>();
  const batchByIdentity = new Map<string, Plan>();
  const plans: Plan[] = [];
  const newItems: CheckedItem[] = [];

  for (const [index, item] of checked.entries()) {
    if (!item) {
      plans.push({ kind: 'new', newIndex: -1 });
      continue;
    }
    const { namespace, name, idempotencyKey, identityKey } = item.keys;
    const key = idempotencyKey === null ? undefined : keyOf(namespace, name, idempotencyKey);
    const identity = identityKey === null ? undefined : keyOf(namespace, name, identityKey);
    let plan: Plan | undefined;
    if (key !== undefined) {
      const stored = storedByKey.get(key);
      const earlier = batchByKey.get(key);
      if (stored) {
        try {
          plan = {
            kind: 'existing',
            task: refuseOtherRequest({ task: stored, matchedBy: 'idempotency_key' }, item.requestDigest, `/tasks/${index}`),
          };
        } catch (error) {
          if (!(error instanceof AppError)) {
            throw error;
          }
          problems.push(...error.details);
          plans.push({ kind: 'new', newIndex: -1 });
          continue;
        }
      } else if (earlier) {
        if (earlier.requestDigest !== item.requestDigest) {
          problems.push({
            path: `/tasks/${index}/idempotency_key`,
            message: `is also the key of /tasks/${earlier.index}, a different request (namespace, name, version or context); use another key`,
          });
          plans.push({ kind: 'new', newIndex: -1 });
          continue;
        }
        plan = earlier.plan;
      }
    }
    if (!plan && identity !== undefined) {
      const stored = storedByIdentity.get(identity);
      plan = stored ? { kind: 'existing', task: stored } : batchByIdentity.get(identity);
    }
    if (!plan) {
      plan = { kind: 'new', newIndex: newItems.length };
      newItems.push(item);
    }
    plans.push(plan);
    if (key !== undefined && !batchByKey.has(key)) {
      batchByKey.set(key, { plan, index, requestDigest: item.requestDigest });
    }
    if (identity !== undefined && !batchByIdentity.has(identity)) {
      batchByIdentity.set(identity, plan);
    }
  }
  return { plans, newItems };
}

/** The new tasks, their steps, dependencies and audit rows in one transaction; the tasks in the items' order. */
async function insertAll(db: Db, newItems: readonly CheckedItem[], actor: string): Promise<TaskRow[]> {
  return db.transaction(async (tx) => {
    const rows: NewTask[] = newItems.map((item) => ({
      templateVersionId: item.templateVersion.id,
      namespace: item.definition.namespace,
      name: item.definition.name,
      version: item.definition.version,
      status: 'pending',
      context: item.context,
      idempotencyKey: item.keys.idempotencyKey,
      requestDigest: item.requestDigest,
      identityKey: item.keys.identityKey,
      // Unique per task: it also matches each inserted row to its item.
      correlationId: randomUUID(),
      unfinishedSteps: item.definition.steps.length,
      liveSteps: item.definition.steps.filter((step) => step.dependsOn.length === 0).length,
      createdBy: actor,
    }));
    // In one order across batches (by their keys), so that two batches racing for the same keys wait
    // for each other instead of deadlocking; a deadlock left (the two unique indexes) is a lost race.
    const byKeys = (row: NewTask) => `${row.identityKey ?? ''}\u0000${row.idempotencyKey ?? ''}\u0000${row.namespace}\u0000${row.name}`;
    const inserted = await insertTasksUnlessDuplicate(
      tx,
      [...rows].sort((a, b) => (byKeys(a) < byKeys(b) ? -1 : byKeys(a) > byKeys(b) ? 1 : 0)),
    );
    if (inserted.length !== rows.length) {
      throw new LostRace();
    }
    const byCorrelation = new Map(inserted.map((task) => [task.correlationId, task]));
    const tasks = rows.map((row) => byCorrelation.get(row.correlationId) as TaskRow);
    const insertedSteps = await insertStepsOfTasks(
      tx,
      newItems.flatMap((item, position) => stepRowsOf(item.definition, (tasks[position] as TaskRow).id)),
    );
    const stepsByTask = new Map<number, { id: number; name: string; status: string }[]>();
    for (const step of insertedSteps) {
      const list = stepsByTask.get(step.taskId) ?? [];
      list.push(step);
      stepsByTask.set(step.taskId, list);
    }
    await insertStepDependencies(
      tx,
      newItems.flatMap((item, position) => {
        const taskSteps = stepsByTask.get((tasks[position] as TaskRow).id) ?? [];
        return dependencyRowsOf(item.definition, new Map(taskSteps.map((step) => [step.name, step.id])));
      }),
    );
    await insertTransitions(
      tx,
      newItems.flatMap((item, position) => {
        const task = tasks[position] as TaskRow;
        return creationTransitionsOf(item.definition, task.id, stepsByTask.get(task.id) ?? [], actor);
      }),
    );
    await tx.execute(sql`select pg_notify(${STEPS_READY_CHANNEL}, '')`);
    return tasks;
  });
}
