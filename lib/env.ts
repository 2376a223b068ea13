import { isLoopbackHostname } from './auth/loopback';
import { parseRedactFields } from './redact-secrets';
import { listServiceNames } from './services/service-registry';

/** Reads the environment of shared/API.md §2 in one place, with clear errors for bad values. */
export type SwitchyardEnv = {
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  adminToken: string | undefined;
  orchestrator: boolean;
  workerConcurrency: number;
  /** WORKER_LOCAL_QUEUE_SIZE: steps an orchestrator claims ahead of its free slots (0: none). */
  workerLocalQueueSize: number;
  demoServicesPort: number;
  leaseSeconds: number;
  pollIntervalMs: number;
  /** Consecutive failed calls to one service that open its circuit. */
  circuitFailureThreshold: number;
  /** How long an open circuit waits before one probe call. */
  circuitCooldownSeconds: number;
  /** A step waiting longer than this (to retry, or behind an open circuit, a hold or a limit) makes its task stuck: every page and route. */
  stuckAfterSeconds: number;
  /** E2E=1: fixture templates and deterministic test handlers are loaded too. */
  e2e: boolean;
  /** The address to listen on; only loopback without ADMIN_TOKEN. */
  host: string;
  /** The dashboard's address: links in alerts, and a host name served in local mode besides loopback. */
  publicUrl: string;
  /** Where failure alerts are POSTed; unset: no alerts. A secret: never logged (lib/engine/alert-delivery.ts). */
  alertWebhookUrl: string | undefined;
  /** At most one alert per failure group in this many seconds. */
  alertQuietSeconds: number;
  /** SERVICE_<NAME>_RATE_PER_SECOND and SERVICE_<NAME>_MAX_CONCURRENCY, for each service that has either. */
  serviceLimits: ServiceLimitSettings[];
  /** Picks a Tasker template's `environments.<name>` overrides: SWITCHYARD_ENV, else NODE_ENV, else development. */
  templateEnvironment: string;
  /** REDACT_FIELDS: header and body field names redacted in stored attempts, besides the default ones. */
  redactFields: string[];
  /** RETENTION_DAYS: finished tasks older than this many days are removed; undefined: every task is kept. */
  retentionDays: number | undefined;
  /** ARCHIVE=on: removed tasks are first written as NDJSON under DATA_DIR/archive. */
  archive: boolean;
};

/** STUCK_AFTER_SECONDS when unset (shared/API.md §2). */
export const DEFAULT_STUCK_AFTER_SECONDS = 300;

export function readEnv(env: Record<string, string | undefined> = process.env): SwitchyardEnv {
  return {
    port: readInteger(env, 'PORT', 3000, 1, 65535),
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    dataDir: env.DATA_DIR?.trim() || './.data',
    adminToken: readAdminToken(env),
    orchestrator: readSwitch(env, 'ORCHESTRATOR', true),
    workerConcurrency: readInteger(env, 'WORKER_CONCURRENCY', 10, 1, 1000),
    workerLocalQueueSize: readInteger(env, 'WORKER_LOCAL_QUEUE_SIZE', 0, 0, 10_000),
    demoServicesPort: readInteger(env, 'DEMO_SERVICES_PORT', 3100, 0, 65535),
    leaseSeconds: readInteger(env, 'LEASE_SECONDS', 30, 1, 3600),
    pollIntervalMs: readInteger(env, 'POLL_INTERVAL_MS', 1000, 10, 60_000),
    circuitFailureThreshold: readInteger(env, 'CIRCUIT_FAILURE_THRESHOLD', 5, 1, 10_000),
    circuitCooldownSeconds: readInteger(env, 'CIRCUIT_COOLDOWN_SECONDS', 30, 1, 86_400),
    stuckAfterSeconds: readInteger(env, 'STUCK_AFTER_SECONDS', DEFAULT_STUCK_AFTER_SECONDS, 1, 604_800),
    e2e: env.E2E === '1',
    host: readHost(env),
    publicUrl: readPublicUrl(env),
    alertWebhookUrl: readAlertWebhookUrl(env),
    alertQuietSeconds: readInteger(env, 'ALERT_QUIET_SECONDS', 600, 0, 604_800),
    templateEnvironment: env.SWITCHYARD_ENV?.trim() || env.NODE_ENV?.trim() || 'development',
    redactFields: parseRedactFields(env.REDACT_FIELDS),
    serviceLimits: readServiceLimits(env),
    retentionDays: readRetentionDays(env),
    archive: readArchive(env),
  };
}

const MAX_RETENTION_DAYS = 36_500;

/** RETENTION_DAYS: a number of days above 0 (0.5 is twelve hours); unset or empty keeps every task. */
function readRetentionDays(env: Record<string, string | undefined>): number | undefined {
  const raw = env.RETENTION_DAYS?.trim();
  if (!raw) {
    return undefined;
  }
  const days = Number(raw);
  if (!Number.isFinite(days) || days <= 0 || days > MAX_RETENTION_DAYS) {
    throw new Error(
      `RETENTION_DAYS must be a number of days above 0 and at most ${MAX_RETENTION_DAYS}, such as 30 or 0.5; leave it unset to keep every task. Not "${raw}"`,
    );
  }
  return days;
}

/** ARCHIVE=on writes what retention removes: without RETENTION_DAYS nothing is removed, so it would do nothing. */
function readArchive(env: Record<string, string | undefined>): boolean {
  const archive = readSwitch(env, 'ARCHIVE', false);
  if (archive && !env.RETENTION_DAYS?.trim()) {
    throw new Error('ARCHIVE=on keeps the tasks RETENTION_DAYS removes, but RETENTION_DAYS is not set (every task is kept): set both, or neither');
  }
  return archive;
}

/**
 * Local mode has no tokens, so whoever reaches the port may change anything: it listens on loopback
 * only, and a HOST that other machines can reach needs ADMIN_TOKEN.
 */
function readHost(env: Record<string, string | undefined>): string {
  const adminToken = readAdminToken(env);
  const host = env.HOST?.trim() || (adminToken ? '0.0.0.0' : '127.0.0.1');
  if (!adminToken && !isLoopbackHostname(host.replace(/^\[(.*)\]$/, '$1'))) {
    throw new Error(
      `HOST=${host} would let other machines connect, but ADMIN_TOKEN is not set (local mode has no tokens). ` +
        'Set ADMIN_TOKEN to require tokens, or leave HOST unset to listen on 127.0.0.1 only',
    );
  }
  return host;
}

function readPublicUrl(env: Record<string, string | undefined>): string {
  const raw = env.PUBLIC_URL?.trim();
  if (!raw) {
    return `http://127.0.0.1:${readInteger(env, 'PORT', 3000, 1, 65535)}`;
  }
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`PUBLIC_URL must be an http:// or https:// address such as https://switchyard.example.com, not "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * A webhook's address usually holds its secret (Slack's path does): an invalid one is refused without
 * repeating it, so the error cannot leak it into logs.
 */
function readAlertWebhookUrl(env: Record<string, string | undefined>): string | undefined {
  const raw = env.ALERT_WEBHOOK_URL?.trim();
  if (!raw) {
    return undefined;
  }
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(
      'ALERT_WEBHOOK_URL must be an http:// or https:// address such as https://hooks.slack.com/services/…; the value set is not one (not shown here: it may hold a secret)',
    );
  }
  return raw;
}

/** A service's limits across every process on the database; null: none. */
type ServiceLimitSettings = { service: string; ratePerSecond: number | null; maxConcurrency: number | null };

const SERVICE_LIMIT_VARIABLE = /^SERVICE_([A-Z0-9_]+)_(RATE_PER_SECOND|MAX_CONCURRENCY)$/;
const MAX_RATE_PER_SECOND = 10_000;
const MAX_SERVICE_CONCURRENCY = 10_000;

/**
 * SERVICE_<NAME>_RATE_PER_SECOND (calls a second, above 0: 2, 0.5) and SERVICE_<NAME>_MAX_CONCURRENCY (calls
 * at once, a whole number from 1), of services that exist. A value that is not one stops the start, naming
 * the variable: a typo must not leave a provider's quota unguarded.
 */
function readServiceLimits(env: Record<string, string | undefined>): ServiceLimitSettings[] {
  const limits = new Map<string, ServiceLimitSettings>();
  const services = listServiceNames(env);
  for (const [variable, value] of Object.entries(env)) {
    const match = SERVICE_LIMIT_VARIABLE.exec(variable);
    const raw = value?.trim();
    if (!match?.[1] || !raw) {
      continue;
    }
    const service = match[1].toLowerCase();
    if (!services.includes(service)) {
      throw new Error(`${variable} names service "${service}", which has no SERVICE_${match[1]}_URL (services: ${services.join(', ')})`);
    }
    const entry = limits.get(service) ?? { service, ratePerSecond: null, maxConcurrency: null };
    const number = Number(raw);
    if (match[2] === 'RATE_PER_SECOND') {
      if (!Number.isFinite(number) || number <= 0 || number > MAX_RATE_PER_SECOND) {
        throw new Error(
          `${variable} must be a number of calls per second above 0 and at most ${MAX_RATE_PER_SECOND}, such as 2 or 0.5, not "${raw}"`,
        );
      }
      entry.ratePerSecond = number;
    } else {
      if (!Number.isInteger(number) || number < 1 || number > MAX_SERVICE_CONCURRENCY) {
        throw new Error(`${variable} must be a whole number of calls at once from 1 to ${MAX_SERVICE_CONCURRENCY}, not "${raw}"`);
      }
      entry.maxConcurrency = number;
    }
    limits.set(service, entry);
  }
  return [...limits.values()].sort((a, b) => a.service.localeCompare(b.service));
}

/** Long enough that guessing it is hopeless even without the limit on wrong tokens. */
const MIN_ADMIN_TOKEN_LENGTH = 32;

function readAdminToken(env: Record<string, string | undefined>): string | undefined {
  const token = env.ADMIN_TOKEN?.trim();
  if (!token) {
    return undefined;
  }
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new Error(
      `ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters, not ${token.length}; make a random one with \`openssl rand -hex 32\``,
    );
  }
  return token;
}

function readInteger(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function readSwitch(env: Record<string, string | undefined>, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) {
    return fallback;
  }
  if (['on', 'true', '1'].includes(raw)) {
    return true;
  }
  if (['off', 'false', '0'].includes(raw)) {
    return false;
  }
  throw new Error(`${name} must be "on" or "off", not "${raw}"`);
}
