import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows, type Db } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { toSqlList } from '../../db/to-sql-list';
import { ConflictError } from '../errors';
import {
  FINISHED_STEP_STATUSES,
  FINISHED_TASK_STATUSES,
  LIVE_STEP_STATUSES,
  SATISFIED_STEP_STATUSES,
  type StepStatus,
  type TaskStatus,
} from '../statuses';
import { saveTestTemplate } from '../testing/task-testing';
import { cancelTask } from './cancel-task';
import { compensateTask } from './compensate-task';
import { createTask } from './create-task';
import { editTaskContext } from './edit-task-context';
import { rerunStep } from './rerun-step';
import { resolveStep } from './resolve-step';
import { retryStep } from './retry-step';
import { retryTask } from './retry-task';
import { skipStep } from './skip-step';

/**
 * The state machine of lib/statuses.ts (shared/API.md §4), pair by pair: every operator action against
 * every state of the task or step it acts on. An allowed action moves the states as the table says and
 * records each change as a transition; a refused one throws ConflictError (409) and changes nothing.
 *
 * The task is `a → b → c`, with `d` beside them; the actions on steps act on `b`. a, b and d declare a
 * compensation (compensating the task adds a step `compensate.<step>` for each of them that is complete).
 * Each state is put in place with SQL, its counters recounted from the steps.
 */
type StepName = 'a' | 'b' | 'c' | 'd';
type Fixture = { task: TaskStatus; steps: Record<StepName, StepStatus> };
type Action =
  | 'retry task'
  | 'cancel task'
  | 'edit context'
  | 'compensate task'
  | 'retry step'
  | 'resolve step'
  | 'skip step'
  | 'skip unskippable step'
  | 'rerun step'
  | 'rerun step downstream';
/** What an allowed action leaves: every step's status (compensation steps too), the task's, and the transitions written (`b: error → ready`, `task: …`). */
type Outcome = { task: TaskStatus; steps: Record<string, StepStatus>; transitions: string[] };
type Pair = { state: string; fixture: Fixture; action: Action; expected: Outcome | 'refused' };

const ACTOR = 'test-operator';
const undo = { handler: 'test.noop', handlerConfig: {}, service: null, timeoutSeconds: 5, retryLimit: 3 };
// The expectations are written out from shared/API.md §4, not taken from lib/statuses.ts, the code under test.
const FINAL_TASK_STATES: readonly TaskStatus[] = ['complete', 'cancelled', 'resolved_manually', 'compensated'];
const DONE_STEP_STATES: readonly StepStatus[] = ['complete', 'resolved_manually', 'skipped', 'cancelled', 'compensated'];

/** One fixture per task state, for the actions on a task. */
const TASK_FIXTURES: Record<TaskStatus, Fixture> = {
  pending: { task: 'pending', steps: { a: 'ready', b: 'pending', c: 'pending', d: 'ready' } },
  in_progress: { task: 'in_progress', steps: { a: 'complete', b: 'error', c: 'pending', d: 'in_progress' } },
  error: { task: 'error', steps: { a: 'complete', b: 'error', c: 'pending', d: 'complete' } },
  complete: { task: 'complete', steps: { a: 'complete', b: 'complete', c: 'complete', d: 'complete' } },
  cancelled: { task: 'cancelled', steps: { a: 'complete', b: 'cancelled', c: 'cancelled', d: 'cancelled' } },
  resolved_manually: { task: 'resolved_manually', steps: { a: 'complete', b: 'resolved_manually', c: 'complete', d: 'complete' } },
  // d stands for a compensation still running.
  compensating: { task: 'compensating', steps: { a: 'complete', b: 'compensated', c: 'cancelled', d: 'ready' } },
  compensated: { task: 'compensated', steps: { a: 'compensated', b: 'compensated', c: 'cancelled', d: 'compensated' } },
};

/** One fixture per state of step b, for the actions on a step. A cancelled step only exists in a cancelled task. */
const STEP_FIXTURES: Record<StepStatus, Fixture> = {
  pending: { task: 'in_progress', steps: { a: 'in_progress', b: 'pending', c: 'pending', d: 'complete' } },
  ready: { task: 'in_progress', steps: { a: 'complete', b: 'ready', c: 'pending', d: 'complete' } },
  in_progress: { task: 'in_progress', steps: { a: 'complete', b: 'in_progress', c: 'pending', d: 'complete' } },
  waiting_retry: { task: 'in_progress', steps: { a: 'complete', b: 'waiting_retry', c: 'pending', d: 'complete' } },
  error: { task: 'error', steps: { a: 'complete', b: 'error', c: 'pending', d: 'complete' } },
  complete: { task: 'in_progress', steps: { a: 'complete', b: 'complete', c: 'ready', d: 'complete' } },
  resolved_manually: { task: 'in_progress', steps: { a: 'complete', b: 'resolved_manually', c: 'ready', d: 'complete' } },
  skipped: { task: 'in_progress', steps: { a: 'complete', b: 'skipped', c: 'ready', d: 'complete' } },
  cancelled: { task: 'cancelled', steps: { a: 'complete', b: 'cancelled', c: 'cancelled', d: 'cancelled' } },
  compensated: { task: 'compensated', steps: { a: 'compensated', b: 'compensated', c: 'cancelled', d: 'compensated' } },
};

function compensateOutcome({ task, steps }: Fixture): Outcome | 'refused' {
  // Only a task in error or cancelled, and only its complete steps that declare a compensation (a, b, d).
  const undone = (['a', 'b', 'd'] as const).filter((name) => steps[name] === 'complete');
  if ((task !== 'error' && task !== 'cancelled') || undone.length === 0) {
    return 'refused';
  }
  const cancelled = Object.entries(steps).filter(([, status]) => !DONE_STEP_STATES.includes(status));
  // a → b → c: a's compensation waits for b's when b is undone too.
  const after = (name: string) => (name === 'a' && undone.includes('b') ? 'pending' : 'ready');
  return {
    task: 'compensating',
    steps: {
      ...steps,
      ...Object.fromEntries(cancelled.map(([name]) => [name, 'cancelled'])),
      ...Object.fromEntries(undone.map((name) => [`compensate.${name}`, after(name)])),
    },
    transitions: [
      ...cancelled.map(([name, status]) => `${name}: ${status} → cancelled`),
      ...undone.map((name) => `compensate.${name}: null → ${after(name)}`),
      `task: ${task} → compensating`,
    ],
  };
}

function rerunOutcome({ task, steps }: Fixture, downstream: boolean): Outcome | 'refused' {
  if ((task !== 'complete' && task !== 'error') || !['complete', 'resolved_manually', 'skipped'].includes(steps.b)) {
    return 'refused';
  }
  // b runs again; with downstream, c (finished) waits for it again. a and d, upstream or beside, are untouched.
  const c = downstream && ['complete', 'resolved_manually', 'skipped'].includes(steps.c);
  return {
    task: 'in_progress',
    steps: { ...steps, b: 'ready', ...(c ? { c: 'pending' } : {}) },
    transitions: [`b: ${steps.b} → ready`, ...(c ? [`c: ${steps.c} → pending`] : []), `task: ${task} → in_progress`],
  };
}

function taskActionOutcome(state: TaskStatus, action: 'retry task' | 'cancel task' | 'edit context' | 'compensate task'): Outcome | 'refused' {
  const { task, steps } = TASK_FIXTURES[state];
  if (action === 'compensate task') {
    return compensateOutcome(TASK_FIXTURES[state]);
  }
  if (FINAL_TASK_STATES.includes(task)) {
    return 'refused';
  }
  if (action === 'cancel task') {
    const cancelled = Object.entries(steps).filter(([, status]) => !DONE_STEP_STATES.includes(status));
    return {
      task: 'cancelled',
      steps: { ...steps, ...Object.fromEntries(cancelled.map(([name]) => [name, 'cancelled'])) },
      transitions: [...cancelled.map(([name, status]) => `${name}: ${status} → cancelled`), `task: ${task} → cancelled`],
    };
  }
  // Retrying the task, or editing its context (a task in error only), puts its steps in error back to ready.
  if (steps.b !== 'error' || (action === 'edit context' && task !== 'error')) {
    return 'refused';
  }
  return {
    task: 'in_progress',
    steps: { ...steps, b: 'ready' },
    transitions: [
      ...(action === 'edit context' ? ['task: error → error'] : []),
      'b: error → ready',
      ...(task === 'error' ? ['task: error → in_progress'] : []),
    ],
  };
}

function stepActionOutcome(fixture: Fixture, action: 'retry step' | 'resolve step' | 'skip step' | 'skip unskippable step'): Outcome | 'refused' {
  const { task, steps } = fixture;
  const b = steps.b;
  const taskAfter: TaskStatus = 'in_progress';
  const taskTransitions = task === taskAfter ? [] : [`task: ${task} → ${taskAfter}`];
  if (FINAL_TASK_STATES.includes(task)) {
    return 'refused';
  }
  if (action === 'retry step') {
    return b === 'error' || b === 'waiting_retry'
      ? { task: taskAfter, steps: { ...steps, b: 'ready' }, transitions: [`b: ${b} → ready`, ...taskTransitions] }
      : 'refused';
  }
  if (action === 'skip unskippable step' || !['pending', 'ready', 'waiting_retry', 'error'].includes(b)) {
    return 'refused';
  }
  const finished: StepStatus = action === 'resolve step' ? 'resolved_manually' : 'skipped';
  // c waits on b alone: it becomes ready.
  return {
    task: taskAfter,
    steps: { ...steps, b: finished, c: 'ready' },
    transitions: [`b: ${b} → ${finished}`, 'c: pending → ready', ...taskTransitions],
  };
}

const TASK_ACTIONS = ['retry task', 'cancel task', 'edit context', 'compensate task'] as const;
const STEP_ACTIONS = ['retry step', 'resolve step', 'skip step', 'skip unskippable step'] as const;
const RERUN_ACTIONS = ['rerun step', 'rerun step downstream'] as const;
/** A task in error whose step b is complete (its dependent c failed): b may run again. */
const ERROR_TASK_WITH_B_COMPLETE: Fixture = { task: 'error', steps: { a: 'complete', b: 'complete', c: 'error', d: 'complete' } };
const PAIRS: Pair[] = [
  ...Object.keys(TASK_FIXTURES).flatMap((state) =>
    TASK_ACTIONS.map((action) => ({
      state: `task ${state}`,
      fixture: TASK_FIXTURES[state as TaskStatus],
      action,
      expected: taskActionOutcome(state as TaskStatus, action),
    })),
  ),
  ...Object.keys(STEP_FIXTURES).flatMap((state) =>
    STEP_ACTIONS.map((action) => ({
      state: `step ${state}`,
      fixture: STEP_FIXTURES[state as StepStatus],
      action,
      expected: stepActionOutcome(STEP_FIXTURES[state as StepStatus], action),
    })),
  ),
  // Whatever its step's state, a finished task refuses every action on its steps.
  ...FINAL_TASK_STATES.flatMap((state) =>
    STEP_ACTIONS.map((action) => ({
      state: `step ${TASK_FIXTURES[state].steps.b} of a ${state} task`,
      fixture: TASK_FIXTURES[state],
      action,
      expected: 'refused' as const,
    })),
  ),
  // A re-run depends on the task's state as well as the step's: every fixture of either table.
  ...[
    ...Object.entries(TASK_FIXTURES).map(([state, fixture]) => [`task ${state} (b ${fixture.steps.b})`, fixture] as const),
    ...Object.entries(STEP_FIXTURES).map(([state, fixture]) => [`step ${state} (task ${fixture.task})`, fixture] as const),
    ['step complete of a task in error', ERROR_TASK_WITH_B_COMPLETE] as const,
  ].flatMap(([state, fixture]) =>
    RERUN_ACTIONS.map((action) => ({ state, fixture, action, expected: rerunOutcome(fixture, action === 'rerun step downstream') })),
  ),
];

describeEachDatabase('state machine: every (state, operator action) pair', (suite) => {
  async function createFixture({ task: taskStatus, steps }: Fixture, { skippable }: { skippable: boolean }): Promise<number> {
    const { db } = suite.database;
    const name = skippable ? 'states' : 'states_unskippable';
    await saveTestTemplate(db, {
      name,
      steps: [
        { name: 'a', handler: 'test.noop', compensation: undo },
        { name: 'b', handler: 'test.noop', dependsOn: ['a'], skippable, compensation: undo },
        { name: 'c', handler: 'test.noop', dependsOn: ['b'] },
        { name: 'd', handler: 'test.noop', compensation: undo },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name, context: { email: 'ann@example.com' } });
    for (const [step, status] of Object.entries(steps)) {
      const tried = ['in_progress', 'waiting_retry', 'error', 'complete'].includes(status);
      await db.execute(sql`
        update steps set status = ${status}, attempts = ${tried ? 1 : 0},
          run_at = case ${status} when 'ready' then now() when 'waiting_retry' then now() + interval '1 hour' end,
          worker_id = case when ${status} = 'in_progress' then 'test-worker' end,
          lease_expires_at = case when ${status} = 'in_progress' then now() + interval '1 hour' end,
          started_at = case when ${tried} then now() end,
          completed_at = case when ${status} in (${toSqlList(SATISFIED_STEP_STATUSES)}) then now() end,
          results = case when ${status} in (${toSqlList(SATISFIED_STEP_STATUSES)}) then '{}'::jsonb end,
          last_error = case when ${status} in ('error', 'waiting_retry')
            then jsonb_build_object('class', 'Error', 'message', 'failed', 'attempt', 1, 'outcome', 'retryable_error', 'at', now()) end
        where task_id = ${task.id} and name = ${step}`);
      if (status === 'in_progress') {
        await db.execute(sql`insert into step_attempts (step_id, number, task_id, worker_id, started_at)
          select id, 1, task_id, 'test-worker', now() from steps where task_id = ${task.id} and name = ${step}`);
      }
    }
    await db.execute(sql`
      update steps s set pending_dependencies = (
        select count(*)::int from step_dependencies d join steps p on p.id = d.depends_on_step_id
        where d.step_id = s.id and p.status not in (${toSqlList(SATISFIED_STEP_STATUSES)}))
      where s.task_id = ${task.id}`);
    await db.execute(sql`
      update tasks t set status = ${taskStatus},
        unfinished_steps = (select count(*)::int from steps s where s.task_id = t.id and s.status not in (${toSqlList(FINISHED_STEP_STATUSES)})),
        live_steps = (select count(*)::int from steps s where s.task_id = t.id and s.status in (${toSqlList(LIVE_STEP_STATUSES)})),
        completed_at = case when ${taskStatus} in (${toSqlList(FINISHED_TASK_STATUSES)}) then now() end,
        compensation_started_at = case when ${taskStatus} in ('compensating', 'compensated') then now() end
      where t.id = ${task.id}`);
    return task.id;
  }

  /** Everything an action could change: the task row, its steps, attempts and transitions. */
  async function snapshot(db: Db, taskId: number) {
    const [row] = await queryRows<{ task: unknown; steps: unknown; attempts: unknown; transitions: unknown }>(
      db,
      sql`select (select to_jsonb(t) from tasks t where t.id = ${taskId}) as task,
          (select jsonb_agg(to_jsonb(s) order by s.id) from steps s where s.task_id = ${taskId}) as steps,
          (select jsonb_agg(to_jsonb(a) order by a.step_id, a.number) from step_attempts a where a.task_id = ${taskId}) as attempts,
          (select jsonb_agg(to_jsonb(tr) order by tr.id) from transitions tr where tr.task_id = ${taskId}) as transitions`,
    );
    return row;
  }

  function perform(action: Action, taskId: number): Promise<unknown> {
    const { db } = suite.database;
    const who = { taskId, actor: ACTOR, reason: 'state machine test' };
    switch (action) {
      case 'retry task':
        return retryTask(db, who);
      case 'cancel task':
        return cancelTask(db, who);
      case 'edit context':
        return editTaskContext(db, { ...who, context: { email: 'bob@example.com' } });
      case 'retry step':
        return retryStep(db, { ...who, step: 'b' });
      case 'resolve step':
        return resolveStep(db, { ...who, step: 'b', results: { resolved: true } });
      case 'skip step':
      case 'skip unskippable step':
        return skipStep(db, { ...who, step: 'b' });
      case 'compensate task':
        return compensateTask(db, who);
      case 'rerun step':
      case 'rerun step downstream':
        return rerunStep(db, { ...who, step: 'b', downstream: action === 'rerun step downstream' });
    }
  }

  it(`walks ${PAIRS.length} pairs: 8 task states × 4 task actions, 10 step states × 4 step actions, 4 finished tasks × 4 step actions, 19 fixtures × 2 re-runs`, () => {
    expect(PAIRS).toHaveLength(8 * 4 + 10 * 4 + 4 * 4 + (8 + 10 + 1) * 2);
  });

  it.each(PAIRS.map((pair) => [pair.state, pair.action, pair.expected === 'refused' ? 'refused' : 'allowed', pair] as const))(
    '%s, %s: %s',
    async (_state, _action, _verdict, { fixture, action, expected }) => {
      const { db } = suite.database;
      const taskId = await createFixture(fixture, { skippable: action !== 'skip unskippable step' });
      const before = await snapshot(db, taskId);
      const [mark] = await queryRows<{ last: string }>(db, sql`select coalesce(max(id), 0)::text as last from transitions`);

      const error = await perform(action, taskId).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

      if (expected === 'refused') {
        expect(error).toBeInstanceOf(ConflictError);
        expect(await snapshot(db, taskId)).toEqual(before);
        return;
      }
      expect(error).toBeUndefined();
      const steps = await queryRows<{ name: StepName; status: StepStatus }>(
        db,
        sql`select name, status from steps where task_id = ${taskId} order by name`,
      );
      const [task] = await queryRows<{
        status: TaskStatus;
        unfinished_steps: number;
        live_steps: number;
        recounted_unfinished: number;
        recounted_live: number;
      }>(
        db,
        sql`select t.status, t.unfinished_steps, t.live_steps,
              (select count(*)::int from steps s where s.task_id = t.id and s.status not in (${toSqlList(FINISHED_STEP_STATUSES)})) as recounted_unfinished,
              (select count(*)::int from steps s where s.task_id = t.id and s.status in (${toSqlList(LIVE_STEP_STATUSES)})) as recounted_live
            from tasks t where t.id = ${taskId}`,
      );
      const transitions = await queryRows<{ step: string | null; from_status: string; to_status: string; actor: string }>(
        db,
        sql`select s.name as step, tr.from_status, tr.to_status, tr.actor from transitions tr left join steps s on s.id = tr.step_id
            where tr.task_id = ${taskId} and tr.id > ${mark?.last ?? '0'}::bigint order by tr.id`,
      );
      expect(Object.fromEntries(steps.map((step) => [step.name, step.status]))).toEqual(expected.steps);
      expect(task?.status).toBe(expected.task);
      // The counters the task-status rule reads stay true to the steps.
      expect([task?.unfinished_steps, task?.live_steps]).toEqual([task?.recounted_unfinished, task?.recounted_live]);
      expect(transitions.map((tr) => `${tr.step ?? 'task'}: ${tr.from_status} → ${tr.to_status}`).sort()).toEqual([...expected.transitions].sort());
      expect(new Set(transitions.map((tr) => tr.actor))).toEqual(new Set([ACTOR]));
    },
  );

  it('a pending task stays pending when an operator finishes one of its steps: only a claim starts a task', async () => {
    const { db } = suite.database;
    const taskId = await createFixture(TASK_FIXTURES.pending, { skippable: true });
    await resolveStep(db, { taskId, step: 'a', results: {}, actor: ACTOR, reason: 'by hand' });
    const [task] = await queryRows<{ status: string; live_steps: number }>(db, sql`select status, live_steps from tasks where id = ${taskId}`);
    // a resolved, b released: d and b are ready.
    expect(task).toEqual({ status: 'pending', live_steps: 2 });
  });
});
