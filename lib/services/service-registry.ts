/**
 * Where each named service lives. Templates only ever name a service; the base URL comes from the
 * environment (`SERVICE_<NAME>_URL`) or, when unset, from the built-in demo services.
 */
export const KNOWN_SERVICE_NAMES = ['user', 'billing', 'preferences', 'notification'] as const;
export type KnownServiceName = (typeof KNOWN_SERVICE_NAMES)[number];

export type ServiceEnv = Record<string, string | undefined>;

const SERVICE_URL_VARIABLE = /^SERVICE_([A-Z0-9_]+)_URL$/;

/** The service names configured in `env` (`SERVICE_<NAME>_URL`, lower-cased), each with its URL. */
function readConfiguredServiceUrls(env: ServiceEnv): Map<string, string> {
  const urls = new Map<string, string>();
  for (const [variable, value] of Object.entries(env)) {
    const match = SERVICE_URL_VARIABLE.exec(variable);
    if (!match?.[1] || !value?.trim()) {
      continue;
    }
    urls.set(match[1].toLowerCase(), normalizeBaseUrl(value.trim(), variable));
  }
  return urls;
}

/** Refuses anything but an absolute http(s) URL, and drops the trailing slash so paths can be appended. */
function normalizeBaseUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new Error(`${source} is not a URL: ${value}`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${source} must be an http or https URL, not ${value}`);
  }
  if (url.search || url.hash) {
    throw new Error(`${source} may not have a query string or fragment: ${value}`);
  }
  return url.href.replace(/\/+$/, '');
}

/** The four known services first, then every other service named by a `SERVICE_<NAME>_URL` variable. */
export function listServiceNames(env: ServiceEnv): string[] {
  const extra = [...readConfiguredServiceUrls(env).keys()].filter((name) => !(KNOWN_SERVICE_NAMES as readonly string[]).includes(name)).sort();
  return [...KNOWN_SERVICE_NAMES, ...extra];
}

/**
 * The base URL of every service: `SERVICE_<NAME>_URL` when set, else the demo service's prefix under
 * `demoServicesUrl`. Without `demoServicesUrl`, services that have no URL of their own are left out
 * (calling them fails as an unknown service). Throws when a `SERVICE_<NAME>_URL` is not an http(s) URL.
 */
export function resolveServiceUrls({ env, demoServicesUrl }: { env: ServiceEnv; demoServicesUrl?: string }): Record<string, string> {
  const configured = readConfiguredServiceUrls(env);
  const demoBase = demoServicesUrl ? normalizeBaseUrl(demoServicesUrl, 'The demo services URL') : undefined;
  const urls: Record<string, string> = {};
  for (const name of listServiceNames(env)) {
    const url = configured.get(name) ?? (demoBase ? `${demoBase}/${name}` : undefined);
    if (url) {
      urls[name] = url;
    }
  }
  return urls;
}

/**
 * `DEMO_SERVICES=on|off`; when unset, the demo services start unless each of the four known services
 * has its own URL. Throws on any other value, so a typo does not silently change what runs.
 */
export function shouldStartDemoServices(env: ServiceEnv): boolean {
  const flag = env.DEMO_SERVICES?.trim().toLowerCase();
  if (flag === 'on' || flag === 'true' || flag === '1') {
    return true;
  }
  if (flag === 'off' || flag === 'false' || flag === '0') {
    return false;
  }
  if (flag) {
    throw new Error(`DEMO_SERVICES must be "on" or "off", not "${env.DEMO_SERVICES}"`);
  }
  const configured = readConfiguredServiceUrls(env);
  return !KNOWN_SERVICE_NAMES.every((name) => configured.has(name));
}

/** Base URLs (no trailing slash) that also name a service: a Tasker template's `handler_config.url`. */
export type ServiceAliases = ReadonlyMap<string, string>;

const SERVICE_ALIASES_VARIABLE = /^SERVICE_([A-Z0-9_]+)_ALIASES$/;

/** The URLs of Tasker's blog example (post 03), answered by the demo services unless `SERVICE_<NAME>_ALIASES` says otherwise. */
const DEFAULT_SERVICE_ALIASES: Record<KnownServiceName, string> = {
  user: 'https://api.userservice.com',
  billing: 'https://api.billingservice.com',
  preferences: 'https://api.preferencesservice.com',
  notification: 'https://api.notificationservice.com',
};

export function serviceAliasesVariable(service: string): string {
  return `SERVICE_${service.toUpperCase()}_ALIASES`;
}

/**
 * URL → service, from `SERVICE_<NAME>_ALIASES` (comma-separated URLs) and, for a known service without
 * that variable, the blog example's URL. Throws on a URL that is not http(s) or that two services claim.
 */
export function readServiceAliases(env: ServiceEnv): ServiceAliases {
  const aliases = new Map<string, string>();
  const configured = new Map<string, string[]>();
  for (const [variable, value] of Object.entries(env)) {
    const match = SERVICE_ALIASES_VARIABLE.exec(variable);
    if (match?.[1] && value !== undefined) {
      const urls = value
        .split(',')
        .map((url) => url.trim())
        .filter((url) => url !== '');
      configured.set(
        match[1].toLowerCase(),
        urls.map((url) => normalizeBaseUrl(url, variable)),
      );
    }
  }
  for (const name of KNOWN_SERVICE_NAMES) {
    if (!configured.has(name)) {
      configured.set(name, [DEFAULT_SERVICE_ALIASES[name]]);
    }
  }
  const services = listServiceNames(env);
  for (const [service, urls] of configured) {
    if (!services.includes(service)) {
      throw new Error(`${serviceAliasesVariable(service)} names service "${service}", which has no SERVICE_${service.toUpperCase()}_URL`);
    }
    for (const url of urls) {
      const other = aliases.get(url);
      if (other !== undefined && other !== service) {
        throw new Error(`${url} is an alias of both "${other}" and "${service}"; give it to one service`);
      }
      aliases.set(url, service);
    }
  }
  return aliases;
}

/** The service answering for `url` (its longest alias that is the URL or a prefix of its path), with the path left over. */
export function findServiceByUrl(aliases: ServiceAliases, url: string): { service: string; alias: string; path: string } | undefined {
  let normalized: string;
  try {
    normalized = normalizeBaseUrl(url.trim(), 'url');
  } catch {
    return undefined;
  }
  let best: { service: string; alias: string; path: string } | undefined;
  for (const [alias, service] of aliases) {
    if ((normalized === alias || normalized.startsWith(`${alias}/`)) && (!best || alias.length > best.alias.length)) {
      best = { service, alias, path: normalized.slice(alias.length) || '/' };
    }
  }
  return best;
}
