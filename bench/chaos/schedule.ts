export const CHAOS_SERVICES = ['user', 'billing', 'preferences', 'notification'] as const;
export type ChaosService = (typeof CHAOS_SERVICES)[number];

/**
 * Latency that outlasts the step timeouts of each service in templates/user_registration.yaml:
 * user 11 s (update_user_status times out at 10 s; create_user_account, at 30 s, only waits),
 * billing 21 s (20 s), preferences 16 s (15 s). Notification's 30 s would stretch a run too long.
 */
export const SLOW_LATENCY_MS: Partial<Record<ChaosService, number>> = { user: 11_000, billing: 21_000, preferences: 16_000 };

export type ServiceFault = {
  kind: 'outage' | 'rate_limit' | 'slow';
  service: ChaosService;
  atMs: number;
  durationMs: number;
  /** The body of POST /_control/{service} while the fault lasts. */
  control: Record<string, unknown>;
};

export type ChaosPlan = {
  windowMs: number;
  faults: ServiceFault[];
  /** When to SIGKILL a worker, and how long until its replacement starts. */
  kills: { atMs: number; restartAfterMs: number }[];
  /** When to restart the web process's stand-in (graceful stop, then start). */
  webRestartAtMs: number;
  /** Creation of the N tasks is spread over [0, createUntilMs]. */
  createUntilMs: number;
};

export type ChaosPlanOptions = {
  windowMs: number;
  outages: number;
  rateLimits: number;
  slowWindows: number;
  kills: number;
  random: () => number;
};

/**
 * The faults of one run, placed at random in the chaos window but never two at once on one service:
 * outages (down, answering 503) of 2–5 s, 429 windows of 1.5–3 s with Retry-After 2 s, and windows in
 * which calls are slower than the step's timeout. Between and after its faults every service is flaky.
 *
 * The windows are sized to the retry budget of templates/user_registration.yaml (3 attempts for most
 * steps, 2 for update_user_status): a 429 window shorter than two Retry-Afters (2 s each) cannot use up
 * three attempts, and an outage is cut short for the steps by the circuit breaker, whose open circuit
 * holds steps back without spending attempts. What remains is the flakiness itself: a step with
 * 3 attempts fails all of them with probability 0.2³ = 0.8%, update_user_status 0.2² = 4%.
 */
export function planChaos({ windowMs, outages, rateLimits, slowWindows, kills, random }: ChaosPlanOptions): ChaosPlan {
  const between = (low: number, high: number) => low + random() * (high - low);
  const faults: ServiceFault[] = [];
  const place = (
    kind: ServiceFault['kind'],
    candidates: readonly ChaosService[],
    duration: () => number,
    control: (service: ChaosService) => Record<string, unknown>,
  ) => {
    for (let tries = 0; tries < 50; tries++) {
      const service = candidates[Math.floor(random() * candidates.length)] as ChaosService;
      const atMs = Math.round(between(0.05, 0.8) * windowMs);
      const durationMs = Math.round(duration());
      const clashes = faults.some(
        (fault) => fault.service === service && atMs < fault.atMs + fault.durationMs + 1000 && fault.atMs < atMs + durationMs + 1000,
      );
      if (!clashes) {
        faults.push({ kind, service, atMs, durationMs, control: control(service) });
        return;
      }
    }
  };
  for (let n = 0; n < outages; n++) {
    place(
      'outage',
      CHAOS_SERVICES,
      () => between(2000, 5000),
      () => ({ mode: 'down' }),
    );
  }
  for (let n = 0; n < rateLimits; n++) {
    place(
      'rate_limit',
      CHAOS_SERVICES,
      () => between(1500, 3000),
      () => ({ mode: 'rate_limited', retry_after_seconds: 2 }),
    );
  }
  const slowServices = Object.keys(SLOW_LATENCY_MS) as ChaosService[];
  for (let n = 0; n < slowWindows; n++) {
    place(
      'slow',
      slowServices,
      () => between(1500, 3000),
      (service) => ({ mode: 'slow', latency_ms: SLOW_LATENCY_MS[service] }),
    );
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  return {
    windowMs,
    faults,
    kills: Array.from({ length: kills }, () => ({
      atMs: Math.round(between(0.05, 0.95) * windowMs),
      restartAfterMs: Math.round(between(300, 2000)),
    })).sort((a, b) => a.atMs - b.atMs),
    webRestartAtMs: Math.round(between(0.4, 0.6) * windowMs),
    createUntilMs: Math.round(0.6 * windowMs),
  };
}
