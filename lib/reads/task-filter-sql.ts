import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { errorSignatureExpression, normalisedErrorMessageExpression } from '../../db/error-signature';
import { bulkActionTasks, failingSteps, steps, tasks, taskSearchText, taskSearchValues } from '../../db/schema';
import type { TaskFilter } from '../api/types';
import { InvalidInputError } from '../errors';
import { REPAIRED_STEP_STATUSES, type StepStatus } from '../statuses';

/** The filters of GET /tasks, defined once by lib/api/schemas/task-filter-schema.ts. */
export type { TaskFilter };

/** A failure's human-readable signature and normalised message (db/error-signature.ts) of a column, e.g. `s.last_error`. */
export function errorSignatureSql(lastErrorColumn: string): SQL {
  return sql.raw(`(${errorSignatureExpression(lastErrorColumn)})`);
}

export function normalisedErrorMessageSql(lastErrorColumn: string): SQL {
  return sql.raw(normalisedErrorMessageExpression(lastErrorColumn));
}

/** A timestamp column as ISO 8601 text in UTC with milliseconds, as the API gives times. */
export function isoTimeSql(value: SQL): SQL<string> {
  return sql<string>`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

function inList(values: readonly string[]): SQL {
  return sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );
}

/** A date or date-time from a filter as an ISO instant; no zone means UTC. Impossible dates (Feb 30) are refused. */
export function parseFilterTime(text: string, path: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/.exec(text.trim());
  const refuse = () => new InvalidInputError([{ path, message: 'is not a valid date or date-time' }]);
  if (!match) {
    throw refuse();
  }
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const calendarDay = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (
    calendarDay.getUTCMonth() !== Number(month) - 1 ||
    calendarDay.getUTCDate() !== Number(day) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  ) {
    throw refuse();
  }
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction.slice(0, 4)}${offset}`);
  if (Number.isNaN(date.getTime())) {
    throw refuse();
  }
  return date.toISOString();
}

function escapeLike(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_');
}

/** The step-level part of a filter: which steps of a task it is about. Undefined when it names none. */
export function stepFilterSql(
  filter: TaskFilter,
  { defaultStatuses, pathPrefix = '' }: { defaultStatuses?: readonly StepStatus[]; pathPrefix?: string } = {},
): SQL | undefined {
  const statuses =
    filter.step_status ??
    (filter.error_signature !== undefined ? ['error', 'waiting_retry'] : filter.retrying_before !== undefined ? ['waiting_retry'] : defaultStatuses);
  if (filter.step === undefined && statuses === undefined && filter.error_signature === undefined) {
    return undefined;
  }
  const conditions: SQL[] = [];
  if (filter.step !== undefined) {
    conditions.push(sql`${steps.name} = ${filter.step}`);
  }
  if (statuses !== undefined) {
    conditions.push(statuses.length > 0 ? sql`${steps.status} in (${inList(statuses)})` : sql`false`);
  }
  if (filter.error_signature !== undefined) {
    conditions.push(sql`${steps.errorSignature} = ${filter.error_signature}`);
  }
  if (filter.retrying_before !== undefined) {
    // failing_steps keeps, per step waiting to retry, when its current round began (the stuck clock
    // of GET /failures, db/migrations/0005_failing_steps.sql).
    const before = parseFilterTime(filter.retrying_before, `${pathPrefix}/retrying_before`);
    conditions.push(
      sql`exists (select 1 from ${failingSteps} f where f.step_id = ${steps.id} and f.status = 'waiting_retry' and f.retrying_since < ${before}::timestamptz)`,
    );
  }
  return sql.join(conditions, sql` and `);
}

/**
 * The search rule of `q`, in one place (GET /tasks, the bulk actions' filters). When q is, case-
 * insensitively, the whole value of an identity field of some task (task_search_values: an e-mail
 * address of a registration, say), it picks the tasks whose identity value is q: a btree lookup, where
 * the trigram search of every context costs ≈ 100 ms at a million tasks (every trigram of an address
 * occurs in 1% or more of them). Otherwise it picks the tasks whose context's JSON text contains q,
 * case-insensitively (task_search_text, the text kept lowercased; its trigram index task_search_text_trgm
 * where pg_trgm is installed). Both
 * ways every task picked contains q in its context's text; the first leaves out tasks that hold q only
 * inside a longer text (`bob@x.com` in `jimbob@x.com`, or in a field that is not an identity field).
 * Asks the database which way applies (one index probe), so the statement that uses the condition is
 * planned for it: an exact value is a handful of tasks, a substring may be any share of them.
 */
async function contextSearchCondition(db: DbOrTx, q: string): Promise<SQL> {
  // task_search_text holds lower(context::text): LIKE on it is ILIKE on the context, without printing the jsonb.
  const substring = sql`${tasks.id} in (select ${taskSearchText.taskId} from ${taskSearchText} where ${taskSearchText.text} like lower(${`%${escapeLike(q)}%`}))`;
  const [exact] = await queryRows<{ found: boolean }>(
    db,
    sql`select exists (select 1 from ${taskSearchValues} where ${taskSearchValues.value} = lower(${q})) as found`,
  );
  if (!exact?.found) {
    return substring;
  }
  return sql`${tasks.id} in (select ${taskSearchValues.taskId} from ${taskSearchValues} where ${taskSearchValues.value} = lower(${q})) and ${substring}`;
}

/**
 * Conditions on `tasks` for a filter. `q`: contextSearchCondition; the step filters ask for a step of
 * the task that matches all of them.
 */
export async function taskFilterConditions(db: DbOrTx, filter: TaskFilter, pathPrefix = ''): Promise<SQL[]> {
  const conditions: SQL[] = [];
  if (filter.status !== undefined) {
    conditions.push(filter.status.length > 0 ? sql`${tasks.status} in (${inList(filter.status)})` : sql`false`);
  }
  if (filter.namespace !== undefined) {
    conditions.push(sql`${tasks.namespace} = ${filter.namespace}`);
  }
  if (filter.name !== undefined) {
    conditions.push(sql`${tasks.name} = ${filter.name}`);
  }
  if (filter.q !== undefined) {
    conditions.push(await contextSearchCondition(db, filter.q));
  }
  if (filter.created_after !== undefined) {
    conditions.push(sql`${tasks.createdAt} >= ${parseFilterTime(filter.created_after, `${pathPrefix}/created_after`)}::timestamptz`);
  }
  if (filter.created_before !== undefined) {
    conditions.push(sql`${tasks.createdAt} < ${parseFilterTime(filter.created_before, `${pathPrefix}/created_before`)}::timestamptz`);
  }
  if (filter.failed_after !== undefined) {
    // failing_steps has a row per step in error of a task in error (db/migrations/0005_failing_steps.sql),
    // with when it failed, indexed (failing_steps_failed_at): the few recent ones are read from there, not
    // found by probing every task in error. The status condition is implied.
    const failedAfter = parseFilterTime(filter.failed_after, `${pathPrefix}/failed_after`);
    conditions.push(sql`${tasks.status} = 'error'`);
    conditions.push(
      sql`${tasks.id} in (select f.task_id from ${failingSteps} f where f.status = 'error' and f.failed_at >= ${failedAfter}::timestamptz)`,
    );
  }
  if (filter.repaired !== undefined) {
    // steps_repaired_task_id holds just the steps an operator resolved or skipped: a probe per task, and
    // read backwards it yields the newest repaired tasks, so a page of them stops early.
    const repairedStep = sql`exists (select 1 from ${steps} r where r.task_id = ${tasks.id} and r.status in (${inList(REPAIRED_STEP_STATUSES)}))`;
    conditions.push(filter.repaired ? repairedStep : sql`not ${repairedStep}`);
  }
  if (filter.bulk_action !== undefined) {
    conditions.push(sql`${tasks.id} in (select b.task_id from ${bulkActionTasks} b where b.bulk_action_id = ${Number(filter.bulk_action)})`);
  }
  const stepConditions = stepFilterSql(filter, { pathPrefix });
  if (stepConditions) {
    conditions.push(sql`exists (select 1 from ${steps} where ${steps.taskId} = ${tasks.id} and ${stepConditions})`);
  }
  return conditions;
}
