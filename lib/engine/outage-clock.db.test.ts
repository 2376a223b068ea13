import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { closeUnprobedCircuit } from '../../db/queries/service-circuits';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { holdService } from '../actions/hold-service';
import { registerTemplates } from '../actions/register-templates';
import { releaseService } from '../actions/release-service';
import { defaultHandlerRegistry } from '../handlers/index';
import { getTaskDetailOrThrow } from '../reads/get-task-detail';
import { groupFailures } from '../reads/group-failures';
import type { ServiceSetup } from '../reads/list-services';
import { readStuckSteps } from '../reads/stuck-steps';
import { createServiceCallerFactory } from '../runtime/host';
import { KNOWN_SERVICE_NAMES, resolveServiceUrls } from '../services/service-registry';
import { setUpDemoServicesForTests } from '../testing/demo-services-testing';
import { registrationContext, waitFor, waitForTaskStatus } from '../testing/task-testing';
import { startOrchestrator } from './runner';

/**
 * Issue 14 items 1 and 2, through a billing outage against the demo services: the stuck clock survives
 * circuit probes, Failures shows the wait at once with its reason, and the circuit comes back quickly
 * whether billing returns rejecting (its waiting steps fail within seconds) or healthy (the first
 * completion within one probe interval).
 */
const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const testServices = setUpDemoServicesForTests();
const running = testServices.running;
const BILLING = 'setup_billing_profile';

describeEachDatabase('a billing outage: the stuck clock, the waiting reason and the circuit', (suite) => {
  async function start(cooldownSeconds: number) {
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers,
      createServiceCaller: createServiceCallerFactory(resolveServiceUrls({ env: {}, demoServicesUrl: testServices.demo.url })),
      concurrency: 10,
      pollIntervalMs: 50,
      shutdownGraceMs: 100,
      circuitBreaker: { failureThreshold: 2, cooldownSeconds, releaseSpreadMs: 20, checkIntervalMs: 100 },
    });
    running.push(orchestrator);
  }

  /** Three registrations whose billing step waits behind billing's open circuit. */
  async function startOutage(cooldownSeconds: number): Promise<number[]> {
    await registerTemplates(suite.database.db, { directories: [path.resolve('templates')], handlers, services: [...KNOWN_SERVICE_NAMES] });
    testServices.demo.state.configure('billing', { mode: 'down' });
    await start(cooldownSeconds);
    const ids: number[] = [];
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) {
      ids.push(
        (await createTask(suite.database.db, { namespace: 'blog_examples', name: 'user_registration', context: registrationContext(email) })).task.id,
      );
    }
    await waitFor(
      async () => {
        const [row] = await queryRows<{ waiting: number; open: number }>(
          suite.database.db,
          sql`select (select count(*)::int from steps where name = ${BILLING} and status in ('ready', 'waiting_retry')) as waiting,
                (select count(*)::int from service_circuits where service = 'billing' and state = 'open') as open`,
        );
        return row!.waiting === 3 && row!.open === 1;
      },
      { what: "billing's circuit to open with the three billing steps waiting", timeoutMs: 20_000 },
    );
    return ids;
  }

  async function readClocks() {
    return queryRows<{ id: string; clock: string; waiting_since: string | null; status: string; attempts: number; retrying_since: string | null }>(
      suite.database.db,
      sql`select s.id::text, (extract(epoch from coalesce(s.waiting_since, s.run_at)) * 1000000)::bigint::text as clock,
            s.waiting_since::text, s.status, s.attempts,
            (select f.retrying_since::text from failing_steps f where f.step_id = s.id) as retrying_since
          from steps s where s.name = ${BILLING} order by s.id`,
    );
  }

  async function countEvents(toState: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      suite.database.db,
      sql`select count(*)::int as n from service_circuit_events where service = 'billing' and to_state = ${toState}`,
    );
    return row!.n;
  }

  it('keeps the stuck clock across probes, and Failures shows the wait at once, with its reason and partial state', async () => {
    const { db } = suite.database;
    const ids = await startOutage(1);
    const before = await readClocks();
    const probesBefore = await countEvents('half_open');
    // Three more probe rounds (a second of cool-down each), each failing against the billing that is down.
    await waitFor(
      async () => {
        // A half-open circuit always has a next probe time.
        const [hung] = await queryRows<{ n: number }>(
          db,
          sql`select count(*)::int as n from service_circuits where state <> 'closed' and open_until is null`,
        );
        expect(hung!.n).toBe(0);
        return (await countEvents('half_open')) >= probesBefore + 3;
      },
      { what: 'three more probes of billing', timeoutMs: 20_000, intervalMs: 50 },
    );
    await waitFor(async () => (await countEvents('open')) >= probesBefore + 3, { what: 'the third probe to fail' });
    const after = await readClocks();
    // The probes spent attempts (not counted against the retry limit), and moved no clock.
    expect(after.reduce((sum, step) => sum + step.attempts, 0)).toBeGreaterThan(before.reduce((sum, step) => sum + step.attempts, 0));
    expect(after.map((step) => step.clock)).toEqual(before.map((step) => step.clock));
    for (const step of after.filter((row) => row.status === 'waiting_retry')) {
      expect(step.retrying_since).toBe(step.waiting_since);
    }

    // No more probes from here on, so that every billing step waits (none is the probe, running): stopped
    // between two probes (a probe cut short by the stop would spend an attempt).
    await waitFor(
      async () => {
        const [row] = await queryRows<{ n: number }>(
          db,
          sql`select count(*)::int as n from steps where status = 'in_progress' or exists (select 1 from service_circuits where state <> 'open')`,
        );
        return row!.n === 0;
      },
      { intervalMs: 10 },
    );
    await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));

    // Failures: at once (stuck or not), one group for the wait on billing, not a retrying group.
    const soon = await groupFailures(db, { stuckAfterSeconds: 3600 });
    expect(soon.groups.filter((group) => group.step === BILLING)).toEqual([]);
    expect(soon.waiting_groups).toHaveLength(1);
    const [group] = soon.waiting_groups;
    expect(group).toMatchObject({
      namespace: 'blog_examples',
      name: 'user_registration',
      step: BILLING,
      service: 'billing',
      kind: 'circuit_open',
      count: 3,
      stuck: 0,
      hold: null,
      filter: { namespace: 'blog_examples', name: 'user_registration', step: BILLING, step_status: ['ready', 'waiting_retry'] },
    });
    expect(['open', 'half_open']).toContain(group!.circuit?.state);
    expect(group!.circuit?.next_probe_at).toEqual(expect.any(String));
    expect(Date.parse(group!.circuit!.opened_at!)).toBeLessThanOrEqual(Date.parse(group!.waiting_since) + 60_000);
    expect([...group!.sample_task_ids].sort()).toEqual(ids.map(String).sort());
    expect(group!.partial_state.find((entry) => entry.step === 'create_user_account')?.status_counts).toEqual({ complete: 3 });
    expect(group!.partial_state.find((entry) => entry.step === 'initialize_preferences')?.status_counts).toEqual({ complete: 3 });

    // The same rule everywhere: once they have waited longer than STUCK_AFTER_SECONDS they are stuck.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await groupFailures(db, { stuckAfterSeconds: 1 })).waiting_groups[0]).toMatchObject({ count: 3, stuck: 3 });
    expect(await readStuckSteps(db, { stuckAfterSeconds: 1 })).toMatchObject({
      stuckTasks: 3,
      stuckSteps: 3,
      serviceWaitTasks: 3,
      serviceWaitsByKind: { circuit_open: 3, held: 0, rate_limited: 0 },
    });
    expect(await readStuckSteps(db, { stuckAfterSeconds: 3600 })).toMatchObject({ stuckTasks: 0, serviceWaitTasks: 3 });

    // Each step of a task says why it waits.
    const detail = await getTaskDetailOrThrow(db, ids[0]!);
    const reasonOf = (name: string) => detail.steps.find((step) => step.name === name)?.waiting_reason;
    expect(reasonOf(BILLING)).toEqual({
      kind: 'circuit_open',
      service: 'billing',
      until: expect.any(String) as string,
      since: expect.any(String) as string,
    });
    expect(reasonOf('send_welcome_sequence')).toEqual({ kind: 'dependencies' });
    expect(reasonOf('create_user_account')).toBeNull();
  });

  it('down, then rejecting: the next probe gets an answer, the circuit closes and the waiting steps fail within seconds', async () => {
    const { db } = suite.database;
    const ids = await startOutage(1);
    testServices.demo.state.configure('billing', { mode: 'reject' });
    const changed = Date.now();
    for (const id of ids) {
      expect(await waitForTaskStatus(db, id, ['error', 'complete'], 15_000)).toBe('error');
    }
    // One cool-down (1 s) for the probe, then the others run at once.
    expect(Date.now() - changed).toBeLessThan(6000);
    const [circuit] = await queryRows<{ state: string }>(db, sql`select state from service_circuits where service = 'billing'`);
    expect(circuit!.state).toBe('closed');
    const [closed] = await queryRows<{ reason: string }>(
      db,
      sql`select reason from service_circuit_events where service = 'billing' and to_state = 'closed' order by id desc limit 1`,
    );
    expect(closed!.reason).toMatch(/answered \(HTTP 422\)/);
    const errors = await queryRows<{ http_status: string }>(
      db,
      sql`select last_error->>'http_status' as http_status from steps where name = ${BILLING}`,
    );
    expect(errors.map((row) => row.http_status)).toEqual(['422', '422', '422']);
    // Nothing waits any more: no group on Failures but the errors.
    expect((await groupFailures(db, { stuckAfterSeconds: 300 })).waiting_groups).toEqual([]);
  });

  it('down, then up: the first registration completes within one probe interval, and the others after it', async () => {
    const { db } = suite.database;
    const cooldownSeconds = 3;
    const ids = await startOutage(cooldownSeconds);
    // Wait for a fresh cool-down to start, so that the whole interval is ahead.
    const opened = await countEvents('open');
    await waitFor(async () => (await countEvents('open')) > opened, { what: 'a probe to fail', timeoutMs: 15_000 });
    testServices.demo.state.configure('billing', { mode: 'up' });
    const changed = Date.now();
    await waitFor(
      async () => {
        const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from steps where name = ${BILLING} and status = 'complete'`);
        return row!.n > 0;
      },
      { what: 'the first billing step to complete', timeoutMs: 15_000, intervalMs: 20 },
    );
    expect(Date.now() - changed).toBeLessThan(cooldownSeconds * 1000 + 1500);
    for (const id of ids) {
      expect(await waitForTaskStatus(db, id, ['error', 'complete'], 20_000)).toBe('complete');
    }
    const [cleared] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from steps where waiting_since is not null`);
    expect(cleared!.n).toBe(0);
  });

  it('held while its circuit is open: no probe and no attempt while held (the circuit neither closes nor goes half-open); after the release the probe goes and closes it', async () => {
    const { db } = suite.database;
    const cooldownSeconds = 1;
    const ids = await startOutage(cooldownSeconds);
    const setup: ServiceSetup = {
      serviceNames: [...KNOWN_SERVICE_NAMES],
      serviceUrls: resolveServiceUrls({ env: {}, demoServicesUrl: testServices.demo.url }),
      demoServices: testServices.demo,
    };
    await holdService(db, setup, { service: 'billing', reason: 'billing deploy', actor: 'ops@example.com' });
    // A probe sent before the hold finishes (and fails): from then on the circuit is open and nothing runs.
    await waitFor(
      async () => {
        const [row] = await queryRows<{ n: number }>(
          db,
          sql`select count(*)::int as n from steps where status = 'in_progress' or exists (select 1 from service_circuits where state <> 'open')`,
        );
        return row!.n === 0;
      },
      { what: 'no probe in flight and the circuit open', intervalMs: 20 },
    );
    const attemptsOf = async () =>
      (await queryRows<{ n: number }>(db, sql`select coalesce(sum(attempts), 0)::int as n from steps where name = ${BILLING}`))[0]!.n;
    const attemptsBefore = await attemptsOf();
    const callsBefore = testServices.demo.state.services.billing.calls;
    const [lastEvent] = await queryRows<{ id: number }>(db, sql`select max(id)::int as id from service_circuit_events`);
    const eventsSince = () =>
      queryRows<{ from_state: string; to_state: string; reason: string }>(
        db,
        sql`select from_state, to_state, reason from service_circuit_events where service = 'billing' and id > ${lastEvent!.id} order by id`,
      );

    // Three cool-downs pass while held: the circuit stays open, no probe goes, no attempt is spent.
    await new Promise((resolve) => setTimeout(resolve, cooldownSeconds * 3000 + 500));
    const [held] = await queryRows<{ state: string; due: boolean }>(
      db,
      sql`select state, open_until <= now() as due from service_circuits where service = 'billing'`,
    );
    expect(held).toEqual({ state: 'open', due: true });
    expect(await eventsSince()).toEqual([]);
    expect(await attemptsOf()).toBe(attemptsBefore);
    expect(testServices.demo.state.services.billing.calls).toBe(callsBefore);

    // Promoted just before the hold landed (a race with another process): with no claimable step the
    // circuit goes back to open, due now, rather than closing as though nothing waited.
    await queryRows(db, sql`update service_circuits set state = 'half_open', open_until = now() + interval '1 hour' where service = 'billing'`);
    await closeUnprobedCircuit(db, 'billing');
    const [reopened] = await queryRows<{ state: string; due: boolean }>(
      db,
      sql`select state, open_until <= now() as due from service_circuits where service = 'billing'`,
    );
    expect(reopened).toEqual({ state: 'open', due: true });
    expect(await eventsSince()).toEqual([
      { from_state: 'half_open', to_state: 'open', reason: 'the service is held: its probe goes after the release' },
    ]);

    // Billing is back; on release the circuit takes its normal course: a probe, which closes it, then the rest.
    testServices.demo.state.configure('billing', { mode: 'up' });
    await releaseService(db, setup, { service: 'billing', reason: 'deploy done', actor: 'ops@example.com' });
    for (const id of ids) {
      expect(await waitForTaskStatus(db, id, ['error', 'complete'], 20_000)).toBe('complete');
    }
    const afterRelease = (await eventsSince()).slice(1);
    expect(afterRelease.map((event) => `${event.from_state} → ${event.to_state}`)).toEqual(['open → half_open', 'half_open → closed']);
    expect(afterRelease[1]!.reason).not.toMatch(/no step was waiting/);
    expect(await attemptsOf()).toBe(attemptsBefore + 3);
  });
});
