import type { AuthFailureRules, AuthFailureState } from '../../db/queries/auth-failures';
import { RateLimitedError } from '../errors';

/** The rules the database applies to every process's failures, and what this process remembers itself. */
export type AuthFailureLimits = AuthFailureRules & {
  /** Addresses remembered at most; the longest quiet ones are forgotten first. */
  maxAddresses: number;
};

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = {
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  globalBurst: 100,
  globalFailuresPerMinute: 60,
  maxAddresses: 10_000,
};

/** One check of a token: say how it ended, exactly once. */
type AuthAttempt = {
  /**
   * The token was wrong: counts against the address and against the global ceiling. True when this
   * was the guess's first failure (concurrent checks of one secret are one guess), i.e. when the
   * failure is also to be recorded in the database.
   */
  failed(): boolean;
  /** The token was right, or the check could not be made (database down): nothing is counted. */
  settled(): void;
};

export type AuthFailureLimiter = {
  readonly limits: AuthFailureLimits;
  /**
   * Starts a check of a token sent from `address`; throws RateLimitedError (429) while it must wait.
   * `secretDigest` (a hash of the token) tells one guess from another. `shared` is what the database
   * remembers of the address and of the ceiling, from every process (readAuthFailureState): the
   * address waits when either this process or the database says so, and its failures are the larger count.
   */
  beginAttempt(address: string, secretDigest: string, shared?: AuthFailureState): AuthAttempt;
};

/** Checks of one secret from one address that are in flight together: one guess, counted once. */
type InFlightGuess = { checks: number; failed: boolean };
type AddressState = { failures: number; inFlight: Map<string, InFlightGuess>; lastFailureAt: number; blockedUntil: number };

/**
 * Limits token guessing (failed sign-ins and failed bearer tokens), in this process's memory.
 *
 * Per address: `freeFailures` failures, then a wait that doubles with each further failure (1 s, 2 s, 4 s,
 * … up to 15 min), forgotten an hour after the last failure. A success does not wipe the count (a
 * caller holding one valid token could otherwise guess another between successes); it only does not add.
 *
 * Guesses are counted as they arrive, not after the database answered each: an address may have only
 * as many different secrets in flight as it has free failures left (one at a time once it has none),
 * so 300 concurrent guesses get at most 5 checks. Concurrent requests with the same secret are one
 * guess, so a client sending one valid token in parallel is never held up by this.
 *
 * The address is the best one a route handler has (see readClientAddress) and can be spoofed where no
 * proxy vouches for it, so a global ceiling over every address caps what any number of made-up
 * addresses can try: a burst of `globalBurst`, then `globalFailuresPerMinute`. While it is reached every
 * token check waits, valid ones too (a check that let valid tokens through would answer guesses at full
 * speed); sessions already signed in (the cookie) are not limited.
 *
 * This memory is one process's; with several web processes on one database, checkWithinLimit passes
 * in what the database remembers (`shared`) and records each failure there (db/queries/auth-failures.ts),
 * so the counts, the waits and the ceiling are the same whichever process a request reaches. What stays
 * per process is only the guesses in flight: a burst that reaches N processes at the same moment, before
 * any failure is recorded, can get N × `freeFailures` checks once; after that every process refuses.
 */
export function createAuthFailureLimiter(limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS, now: () => number = Date.now): AuthFailureLimiter {
  const addresses = new Map<string, AddressState>();
  const refillPerMs = limits.globalFailuresPerMinute / 60_000;
  let globalAllowance = limits.globalBurst;
  /** Different guesses in flight, over every address. */
  let globalInFlight = 0;
  let refilledAt = now();

  const refillGlobal = (at: number) => {
    globalAllowance = Math.min(limits.globalBurst, globalAllowance + (at - refilledAt) * refillPerMs);
    refilledAt = at;
  };
  /** The address's state, unless it has none or its failures are old enough to forget. */
  const findState = (address: string, at: number): AddressState | undefined => {
    const state = addresses.get(address);
    if (state && state.inFlight.size === 0 && at - state.lastFailureAt > limits.forgetAfterMs) {
      addresses.delete(address);
      return undefined;
    }
    return state;
  };
  const rememberState = (address: string, state: AddressState, at: number) => {
    // Re-inserting keeps the map in order of last use, so the quietest addresses come first.
    addresses.delete(address);
    if (addresses.size >= limits.maxAddresses) {
      for (const [known, knownState] of addresses) {
        if (addresses.size < limits.maxAddresses && at - knownState.lastFailureAt <= limits.forgetAfterMs) {
          break;
        }
        if (knownState.inFlight.size === 0) {
          addresses.delete(known);
        }
      }
    }
    addresses.set(address, state);
  };
  /** An address with no failures and nothing in flight has nothing to remember. */
  const forgetIfClean = (address: string, state: AddressState) => {
    if (state.failures === 0 && state.inFlight.size === 0 && addresses.get(address) === state) {
      addresses.delete(address);
    }
  };

  return {
    limits,
    beginAttempt(address, secretDigest, shared) {
      const at = now();
      refillGlobal(at);
      const known = findState(address, at);
      const blockedForMs = Math.max(known ? known.blockedUntil - at : 0, shared?.blockedForMs ?? 0);
      if (blockedForMs > 0) {
        throw tooMany(blockedForMs, 'Too many failed sign-ins or wrong tokens from your address');
      }
      let guess = known?.inFlight.get(secretDigest);
      if (!guess) {
        const inFlight = known?.inFlight.size ?? 0;
        const failures = Math.max(known?.failures ?? 0, shared?.failures ?? 0);
        if (inFlight > 0 && failures + inFlight >= limits.freeFailures) {
          throw tooMany(limits.baseDelayMs, 'Too many failed sign-ins or wrong tokens from your address');
        }
        const allowance = Math.min(globalAllowance, shared?.globalAllowance ?? Infinity) - globalInFlight;
        if (allowance < 1) {
          throw tooMany((1 - allowance) / refillPerMs, 'Too many failed sign-ins or wrong tokens lately, from all addresses together');
        }
      }
      const state = known ?? { failures: 0, inFlight: new Map<string, InFlightGuess>(), lastFailureAt: at, blockedUntil: 0 };
      rememberState(address, state, at);
      if (!guess) {
        guess = { checks: 0, failed: false };
        state.inFlight.set(secretDigest, guess);
        globalInFlight += 1;
      }
      guess.checks += 1;
      const current = guess;
      let done = false;
      const finish = (failed: boolean): boolean => {
        if (done) {
          return false;
        }
        done = true;
        current.checks -= 1;
        const at = now();
        const firstFailure = failed && !current.failed;
        if (firstFailure) {
          current.failed = true;
          refillGlobal(at);
          globalAllowance -= 1;
          state.failures += 1;
          state.lastFailureAt = at;
          if (state.failures >= limits.freeFailures) {
            state.blockedUntil = at + Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** (state.failures - limits.freeFailures));
          }
        }
        if (current.checks === 0) {
          state.inFlight.delete(secretDigest);
          globalInFlight -= 1;
          forgetIfClean(address, state);
        }
        return firstFailure;
      };
      return {
        failed: () => finish(true),
        settled: () => {
          finish(false);
        },
      };
    },
  };
}

function tooMany(waitMs: number, message: string): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new RateLimitedError(`${message}; try again in ${seconds} s`, seconds);
}
