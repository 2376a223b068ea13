import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { STEPS_READY_CHANNEL } from '../../db/queries/steps';
import {
  findTasksByAnyKeys,
  insertCreationTransitions,
  insertDependenciesOfTasks,
  insertStepsOfTasks,
  insertTasksUnlessDuplicate,
  type TaskKeys,
} from '../../db/queries/task-batches';
import type { NewTask } from '../../db/queries/tasks';
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
  /** Omitted: a new one. */
  correlationId?: string | undefined;
  /** Omitted: the batch's actor. */
  actor?: string | undefined;
};

export type CreatedTasksItem = { index: number; task: TaskRow; created: boolean };

/** One item's own answer when every item stands alone (createTask): its task, its own error, or `again` (see createTasksEach). */
type TaskCreationAnswer = { value: { task: TaskRow; created: boolean } } | { error: unknown } | { again: true };

type CheckedItem = {
  index: number;
  templateVersion: TemplateVersionRow;
  definition: TemplateDefinition;
  context: Record<string, unknown>;
  keys: TaskKeys;
  requestDigest: string;
  correlationId: string;
  actor: string;
};

/**
 * Each item's answer: an existing task, a task of this batch (by its index among the new ones), refused
 * with the error createTask would throw, or (an item that only createTasksEach defers) `again`.
 */
type Plan =
  | { kind: 'existing'; task: TaskRow }
  | { kind: 'new'; newIndex: number }
  | { kind: 'refused'; error: AppError; batchDetail?: ErrorDetail }
  | { kind: 'again' };

/** How items of one call relate: one request of many (createTasks), or each its own request (createTasksEach). */
type Mode = 'all_or_none' | 'each';

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
  const checked = await checkItems(db, items, actor);
  const answers = await writeRounds(db, checked, (plans) => refuseBatchUnlessAllValid(items, plans));
  return answers.map((answer, index) => {
    if (!('value' in answer)) {
      throw new Error(`item ${index} of an all-or-none batch was not answered`);
    }
    return { index, ...answer.value };
  });
}

/**
 * Creates the tasks of many separate requests in one go (createTask gathers concurrent calls into one),
 * each item answered on its own as if it had been sent alone, one after another in their order: its task
 * (`created` as createTask says it), or the error createTask would throw for it (its template missing,
 * its context invalid, its idempotency key used for another request). One item's refusal never keeps
 * another's task from being created. The new tasks are written in one transaction; should that write fail
 * for a reason other than a lost race (e.g. one item's rows break a constraint), each item is written
 * again alone, so that only the item at fault fails. An item that depends on an earlier item of the same
 * call in a way only a stored task can answer exactly (its idempotency key given to an earlier item with
 * another request) is answered `again`: the caller sends it again after this call, when that task is stored.
 */
export async function createTasksEach(db: Db, items: readonly CreateTasksItem[]): Promise<TaskCreationAnswer[]> {
  const checked = await checkItems(db, items, 'system');
  try {
    return await writeRounds(db, checked);
  } catch (error) {
    if (error instanceof LostRace || items.length === 1) {
      throw error;
    }
    // The batch failed as a whole: each item alone, so that the one at fault fails and no other does.
    const answers: TaskCreationAnswer[] = [];
    for (const item of items) {
      const [answer] = await createTasksEach(db, [item]).catch((single: unknown) => [{ error: single }]);
      answers.push(answer as TaskCreationAnswer);
    }
    return answers;
  }
}

/** Rounds of look-up, plan and write until the write does not lose a race; each item's answer. */
async function writeRounds(
  db: Db,
  checked: readonly (CheckedItem | AppError)[],
  refuseUnlessAllValid?: (plans: readonly Plan[]) => void,
): Promise<TaskCreationAnswer[]> {
  for (let round = 1; ; round += 1) {
    const valid = checked.filter((item): item is CheckedItem => !(item instanceof AppError));
    const existing = await findTasksByAnyKeys(
      db,
      valid.map((item) => item.keys),
    );
    const { plans, newItems } = planItems(checked, existing, refuseUnlessAllValid ? 'all_or_none' : 'each');
    refuseUnlessAllValid?.(plans);
    try {
      const createdTasks = newItems.length === 0 ? [] : await insertAll(db, newItems);
      return plans.map((plan, index): TaskCreationAnswer => {
        switch (plan.kind) {
          case 'existing':
            return { value: { task: plan.task, created: false } };
          case 'refused':
            return { error: plan.error };
          case 'again':
            return { again: true };
          case 'new':
            return { value: { task: createdTasks[plan.newIndex] as TaskRow, created: newItems[plan.newIndex]?.index === index } };
        }
      });
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

/** createTasks' refusal of the whole batch: every problem of every item under `/tasks/<index>`, in order. */
function refuseBatchUnlessAllValid(items: readonly CreateTasksItem[], plans: readonly Plan[]) {
  const problems = plans.flatMap((plan, index) => {
    if (plan.kind !== 'refused') {
      return [];
    }
    const prefix = `/tasks/${index}`;
    if (plan.batchDetail) {
      return [plan.batchDetail];
    }
    if (plan.error instanceof NotFoundError) {
      return [{ path: `${prefix}${items[index]?.version === undefined ? '/name' : '/version'}`, message: plan.error.message }];
    }
    return plan.error.details.map((detail) => ({ ...detail, path: `${prefix}${detail.path}` }));
  });
  if (problems.length > 0) {
    const refused = new Set(problems.map((problem) => problem.path.split('/')[2])).size;
    throw new InvalidInputError(problems, `${refused} of ${items.length} tasks are invalid; none was created`);
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

/**
 * Each item's template and validated context, or the error createTask throws for it (NotFoundError,
 * InvalidInputError at `/context…`). The templates are read once per call.
 */
async function checkItems(db: Db, items: readonly CreateTasksItem[], actor: string): Promise<(CheckedItem | AppError)[]> {
  const templates = new Map<string, Promise<TemplateVersionRow | NotFoundError>>();
  const checked: (CheckedItem | AppError)[] = [];
  for (const [index, item] of items.entries()) {
    const templateKey = JSON.stringify([item.namespace, item.name, item.version ?? null]);
    let found = templates.get(templateKey);
    if (found === undefined) {
      found = getTemplateVersionOrThrow(db, item.namespace, item.name, item.version).catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) {
          throw error;
        }
        return error;
      });
      templates.set(templateKey, found);
    }
    const template = await found;
    if (template instanceof NotFoundError) {
      checked.push(template);
      continue;
    }
    const definition = template.definition as TemplateDefinition;
    try {
      const context = validateTaskContext(definition, item.context);
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
        correlationId: item.correlationId ?? randomUUID(),
        actor: item.actor ?? actor,
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) {
        throw error;
      }
      checked.push(error);
    }
  }
  return checked;
}

/** What each item answers, in order (see createTasks and createTasksEach), and the items that create a task. */
function planItems(
  checked: readonly (CheckedItem | AppError)[],
  existing: { byKey: TaskRow[]; byIdentity: TaskRow[] },
  mode: Mode,
): { plans: Plan[]; newItems: CheckedItem[] } {
  const keyOf = (namespace: string, name: string, key: string) => JSON.stringify([namespace, name, key]);
  const storedByKey = new Map(existing.byKey.map((task) => [keyOf(task.namespace, task.name, task.idempotencyKey ?? ''), task]));
  const storedByIdentity = new Map(existing.byIdentity.map((task) => [keyOf(task.namespace, task.name, task.identityKey ?? ''), task]));
  const batchByKey = new Map<string, { plan: Plan; index: number; requestDigest: string }>();
  const batchByIdentity = new Map<string, Plan>();
  const plans: Plan[] = [];
  const newItems: CheckedItem[] = [];

  for (const [index, item] of checked.entries()) {
    if (item instanceof AppError) {
      plans.push({ kind: 'refused', error: item });
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
          plan = { kind: 'existing', task: refuseOtherRequest({ task: stored, matchedBy: 'idempotency_key' }, item.requestDigest) };
        } catch (error) {
          if (!(error instanceof AppError)) {
            throw error;
          }
          plans.push({ kind: 'refused', error });
          continue;
        }
      } else if (earlier) {
        if (earlier.requestDigest !== item.requestDigest) {
          // Alone, this request would find the earlier one's task stored and be refused with its id: ask again then.
          plans.push(
            mode === 'each'
              ? { kind: 'again' }
              : {
                  kind: 'refused',
                  error: new InvalidInputError([]),
                  batchDetail: {
                    path: `/tasks/${index}/idempotency_key`,
                    message: `is also the key of /tasks/${earlier.index}, a different request (namespace, name, version or context); use another key`,
                  },
                },
          );
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
    // Only a task holding this identity answers a later item by it: an existing task found by its key may not.
    const holdsIdentity = plan.kind === 'new' || (plan.kind === 'existing' && plan.task.identityKey === identityKey);
    if (identity !== undefined && holdsIdentity && !batchByIdentity.has(identity)) {
      batchByIdentity.set(identity, plan);
    }
  }
  return { plans, newItems };
}

/**
 * What tells the inserted rows apart: two items that agree on all of it write equal rows (the context is
 * the request's under the version's defaults), so either row answers either item.
 */
function rowFingerprint(
  row: Pick<NewTask, 'correlationId' | 'createdBy' | 'requestDigest' | 'templateVersionId' | 'idempotencyKey' | 'identityKey'>,
) {
  return JSON.stringify([
    row.correlationId,
    row.createdBy,
    row.requestDigest,
    row.templateVersionId,
    row.idempotencyKey ?? null,
    row.identityKey ?? null,
  ]);
}

/** The new tasks, their steps, dependencies and audit rows in one transaction; the tasks in the items' order. */
async function insertAll(db: Db, newItems: readonly CheckedItem[]): Promise<TaskRow[]> {
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
      correlationId: item.correlationId,
      unfinishedSteps: item.definition.steps.length,
      liveSteps: item.definition.steps.filter((step) => step.dependsOn.length === 0).length,
      createdBy: item.actor,
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
    const byFingerprint = new Map<string, TaskRow[]>();
    for (const task of inserted) {
      const fingerprint = rowFingerprint(task);
      byFingerprint.set(fingerprint, [...(byFingerprint.get(fingerprint) ?? []), task]);
    }
    const tasks = rows.map((row) => byFingerprint.get(rowFingerprint(row))?.shift() as TaskRow);
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
    await insertDependenciesOfTasks(
      tx,
      newItems.flatMap((item, position) => {
        const taskSteps = stepsByTask.get((tasks[position] as TaskRow).id) ?? [];
        return dependencyRowsOf(item.definition, new Map(taskSteps.map((step) => [step.name, step.id])));
      }),
    );
    await insertCreationTransitions(
      tx,
      newItems.flatMap((item, position) => {
        const task = tasks[position] as TaskRow;
        return creationTransitionsOf(item.definition, task.id, stepsByTask.get(task.id) ?? [], item.actor);
      }),
    );
    await tx.execute(sql`select pg_notify(${STEPS_READY_CHANNEL}, '')`);
    return tasks;
  });
}
