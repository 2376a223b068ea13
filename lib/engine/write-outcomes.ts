import type { Db } from '../../db/client';
import { markStepsComplete, markStepsFailed, type ClaimedStep, type ClaimReleased, type StepFailure, type StepSuccess } from '../../db/queries/steps';
import { cutText } from '../storable-text';

export type OutcomeBatch = { successes: StepSuccess[]; failures: StepFailure[] };

export type WrittenOutcomes = {
  /** Written as they were. */
  written: OutcomeBatch;
  /** Outcomes the database refused: each step is recorded as failed for good instead, saying why. */
  notStored: StepFailure[];
  /** Not written because the database could not be reached or was busy: try them again later. */
  unwritten: OutcomeBatch;
  /** Dependents released and claimed by the completing statement, ready to run. */
  claimed: ClaimedStep[];
  released: number;
};

export const OUTCOME_NOT_STORED = 'outcome_not_stored';

/**
 * Writes a batch of attempt outcomes, one statement for the successes and one for the failures.
 * When a statement fails for a reason other than the database being unreachable or busy, its
 * outcomes are split in halves, and so on, so that one outcome the database refuses fails alone and
 * never holds up the others: its step is recorded as failed for good with the database's reason (a
 * permanent error of the platform, not of the service). Outcomes that could not be written because
 * the database was unavailable come back in `unwritten`; nothing is dropped.
 */
export async function writeOutcomes(db: Db, batch: OutcomeBatch, claim?: ClaimReleased): Promise<WrittenOutcomes> {
  const result: WrittenOutcomes = {
    written: { successes: [], failures: [] },
    notStored: [],
    unwritten: { successes: [], failures: [] },
    claimed: [],
    released: 0,
  };

  async function writeSuccesses(successes: StepSuccess[], claimHere: ClaimReleased | undefined): Promise<void> {
    if (successes.length === 0) {
      return;
    }
    try {
      const outcome = await markStepsComplete(db, successes, claimHere);
      result.written.successes.push(...successes);
      result.claimed.push(...outcome.claimed);
      result.released += outcome.released;
    } catch (error) {
      if (isTransientDatabaseError(error)) {
        result.unwritten.successes.push(...successes);
      } else if (successes.length > 1) {
        const middle = Math.ceil(successes.length / 2);
        await writeSuccesses(successes.slice(0, middle), undefined);
        await writeSuccesses(successes.slice(middle), undefined);
      } else {
        await writeFailures([notStoredFailure(successes[0]!, error)]);
      }
    }
  }

  async function writeFailures(failures: StepFailure[]): Promise<void> {
    if (failures.length === 0) {
      return;
    }
    try {
      await markStepsFailed(db, failures);
      for (const failure of failures) {
        (failure.errorCode === OUTCOME_NOT_STORED ? result.notStored : result.written.failures).push(failure);
      }
    } catch (error) {
      if (isTransientDatabaseError(error)) {
        result.unwritten.failures.push(...failures);
      } else if (failures.length > 1) {
        const middle = Math.ceil(failures.length / 2);
        await writeFailures(failures.slice(0, middle));
        await writeFailures(failures.slice(middle));
      } else if (failures[0]!.errorCode !== OUTCOME_NOT_STORED) {
        await writeFailures([notStoredFailure(failures[0]!, error)]);
      } else {
        // Our own plain-text account of the refusal was refused too: the database, not the outcome, is
        // at fault. Handed back; the caller gives up after a while and the step's lease runs out.
        result.unwritten.failures.push(failures[0]!);
      }
    }
  }

  await writeSuccesses(batch.successes, claim);
  await writeFailures(batch.failures);
  return result;
}

/** The attempt's outcome could not be stored: the step fails for good, and the error says why. */
function notStoredFailure(outcome: StepSuccess | StepFailure, error: unknown): StepFailure {
  return {
    stepId: outcome.stepId,
    attempt: outcome.attempt,
    nextStatus: 'error',
    runAfterSeconds: 0,
    outcome: 'permanent_error',
    errorClass: 'OutcomeNotStoredError',
    errorMessage: cutText(
      `The ${'results' in outcome ? 'results' : 'error'} of this attempt could not be stored (${describeDatabaseError(error)}); ` +
        'the step is failed for good by the platform, not by its service. Resolve it with the results, or retry it.',
      2000,
    ),
    errorCode: OUTCOME_NOT_STORED,
    httpStatus: outcome.httpStatus,
    durationMs: outcome.durationMs,
  };
}

/** SQLSTATE classes that say the database could not do it now, not that the statement is wrong. */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '55', '57', '58']);

/**
 * Whether a failed statement may succeed as it is if tried again: the connection failed, the database
 * is shutting down, out of resources, or the transaction lost a deadlock or serialisation. A refusal
 * of the statement's content (a data exception, a constraint, a limit) is not.
 */
function isTransientDatabaseError(error: unknown): boolean {
  const sqlState = findSqlState(error);
  if (sqlState !== undefined) {
    return TRANSIENT_SQLSTATE_CLASSES.has(sqlState.slice(0, 2));
  }
  // No answer from PostgreSQL at all: a network error, a closed connection, a timeout. An error of our
  // own making before the statement was sent (building it overflowed the stack, say) is not transient.
  return !(rootCause(error) instanceof RangeError || rootCause(error) instanceof TypeError);
}

/** The SQLSTATE of the database error in the cause chain (postgres.js and PGlite both give `severity` and `code`). */
function findSqlState(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth += 1) {
    const { code, severity } = current as Error & { code?: unknown; severity?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && severity !== undefined) {
      return code;
    }
  }
  return undefined;
}

function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; current instanceof Error && current.cause !== undefined && depth < 10; depth += 1) {
    current = current.cause;
  }
  return current;
}

/** The database's own words, without the statement or its parameters (they hold task data). */
function describeDatabaseError(error: unknown): string {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth += 1) {
    const { code, severity } = current as Error & { code?: unknown; severity?: unknown };
    if (severity !== undefined) {
      return `PostgreSQL: ${current.message}${typeof code === 'string' ? ` [${code}]` : ''}`;
    }
  }
  const root = rootCause(error);
  return root instanceof Error ? `${root.name}: ${root.message}` : String(root);
}
