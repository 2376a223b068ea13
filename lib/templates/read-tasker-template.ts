import { isRecord } from '../api/is-record';
import { NO_EFFECT } from '../api/tasker-notices';
import type { ErrorDetail } from '../errors';
import type { AnyStepHandler, HandlerRegistry } from '../handlers/index';
import { findServiceByUrl, serviceAliasesVariable, type ServiceAliases } from '../services/service-registry';
import { joinPointer } from '../validation';
import { NAME_PATTERN } from './template-schema';

/**
 * Reads a template written for Tasker (its Rails engine's TaskTemplate / StepTemplate, or tasker-core's
 * TaskTemplate) into Switchyard's format (shared/API.md §3). Every Tasker key either does here what it
 * does in Tasker, or is dropped with a notice "accepted, has no effect here" at its path; only what
 * Tasker itself refuses, or what is unsafe here (a URL no registered service answers for), is an error.
 * A template in Switchyard's own format passes through unchanged.
 */

export type TemplateNotice = ErrorDetail;

/** Tasker's default version when a template gives none (its generator's and TaskTemplate's `0.1.0`). */
const TASKER_DEFAULT_VERSION = '0.1.0';

export type TaskerReadOptions = {
  handlers: HandlerRegistry;
  services: readonly string[];
  serviceAliases: ServiceAliases;
  /** Picks `environments.<name>` (SWITCHYARD_ENV, else NODE_ENV). */
  environment: string | undefined;
};

export type TaskerReading = {
  value: unknown;
  notices: TemplateNotice[];
  errors: ErrorDetail[];
  /** Maps a path of the value read back to the path as written (`/step_templates/0/handler` → `/steps/0/handler/callable`). */
  toWrittenPath(path: string): string;
};

const TOP_LEVEL_NO_EFFECT: Record<string, string> = {
  task_handler_class: 'Tasker builds its task handler class from it; here the template is the task handler',
  module_namespace: 'the Ruby module of the task handler class',
  concurrent: 'Switchyard always runs independent steps concurrently',
  custom_events: 'Switchyard records transitions and attempts, not custom events',
  default_options: 'Tasker task options',
  metadata: 'documentation only',
  // tasker-core keeps `primary` and `secondary` as the template's description; no step takes `primary` as its system.
  system_dependencies: "documentation only, as in tasker-core: a step's system_dependency names its service",
  lifecycle: "tasker-core's staleness thresholds; here a step's timeout_seconds and the sweeper end what is stuck",
  domain_events: 'Switchyard records transitions and attempts, not domain events',
  task_handler: 'here the template is the task handler',
};

const STEP_NO_EFFECT: Record<string, string> = {
  custom_events: 'Switchyard records transitions and attempts, not custom events',
  publishes_events: 'Switchyard records transitions and attempts, not domain events',
  result_schema: 'tooling metadata in tasker-core too: the result is not checked against it',
};

/** tasker-core's step types (`type`, or its alias `step_type`); only `standard` runs here. */
const CORE_STEP_TYPES = ['standard', 'decision', 'deferred_convergence', 'batchable', 'batch_worker'];

/** tasker-core's `handler` keys beside `callable` and `initialization`. */
const HANDLER_NO_EFFECT: Record<string, string> = {
  method: "Switchyard calls the handler's run(); a handler has one entry point",
  resolver: 'handlers are found by name or alias in the registry',
};

/** Tasker's API step settings (Tasker::StepHandler::Api::Config) that a service call here does not take. */
const API_CONFIG_NO_EFFECT = ['ssl', 'headers', 'enable_exponential_backoff', 'retry_delay'];

type Rename = { from: string; to: string };

function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>, stepsKey?: string): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    if ((key === 'step_templates' || key === 'steps') && key !== stepsKey && Array.isArray(current) && Array.isArray(value)) {
      result[key] = mergeStepsByName(current, value);
    } else if (isRecord(current) && isRecord(value)) {
      result[key] = deepMerge(current, value, key);
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** As Tasker merges an environment's steps: by name (`ALL`, in tasker-core, for every step); unknown names are ignored. */
function mergeStepsByName(base: unknown[], overrides: unknown[]): unknown[] {
  return base.map((step) => {
    if (!isRecord(step)) {
      return step;
    }
    let merged = step;
    for (const override of overrides) {
      if (isRecord(override) && (override.name === step.name || override.name === 'ALL')) {
        const { name: _name, ...rest } = override;
        merged = deepMerge(merged, rest, 'step');
      }
    }
    return merged;
  });
}

function applyEnvironment(root: Record<string, unknown>, environment: string | undefined, notices: TemplateNotice[], errors: ErrorDetail[]) {
  const { environments, ...base } = root;
  if (environments === undefined) {
    return root;
  }
  if (!isRecord(environments)) {
    errors.push({ path: '/environments', message: 'must be a mapping from an environment name to its overrides' });
    return base;
  }
  let resolved: Record<string, unknown> = base;
  for (const [name, overrides] of Object.entries(environments)) {
    const path = joinPointer('/environments', name);
    if (!isRecord(overrides)) {
      errors.push({ path, message: 'must be a mapping of the keys to override' });
    } else if (name === environment) {
      resolved = deepMerge(base, overrides);
      notices.push({ path, message: `applied: this server's environment is '${name}' (SWITCHYARD_ENV, else NODE_ENV)` });
    } else {
      notices.push({
        path,
        message: `${NO_EFFECT}: applies only when SWITCHYARD_ENV (else NODE_ENV) is '${name}'; here it is '${environment ?? '(unset)'}'`,
      });
    }
  }
  return resolved;
}

/** The handler a name (or alias, such as a Tasker class name) finds, or undefined. */
function findHandler(handlers: HandlerRegistry, name: unknown): AnyStepHandler | undefined {
  return typeof name === 'string' ? handlers.get(name) : undefined;
}

function acceptsService(handler: AnyStepHandler | undefined): boolean {
  const schema: unknown = handler?.configSchema;
  const properties = isRecord(schema) ? schema.properties : undefined;
  return isRecord(properties) && 'service' in properties;
}

type StepContext = {
  path: string;
  writtenPath: string;
  options: TaskerReadOptions;
  notices: TemplateNotice[];
  errors: ErrorDetail[];
  renames: Rename[];
};

function readName(root: Record<string, unknown>, notices: TemplateNotice[], errors: ErrorDetail[]): void {
  const { name } = root;
  if (typeof name !== 'string' || !name.includes('/')) {
    return;
  }
  const slash = name.lastIndexOf('/');
  const namespace = name.slice(0, slash);
  const shortName = name.slice(slash + 1);
  const pattern = new RegExp(NAME_PATTERN);
  if (!pattern.test(namespace) || !pattern.test(shortName)) {
    errors.push({
      path: '/name',
      message: `'${name}' cannot be read as namespace/name; write name: <name> and namespace_name: <namespace>, each [a-z0-9_]+`,
    });
    return;
  }
  if (root.namespace_name !== undefined && root.namespace_name !== namespace) {
    errors.push({
      path: '/name',
      message: `names namespace '${namespace}', but namespace_name is ${JSON.stringify(root.namespace_name)}; write name: ${shortName} and one namespace_name`,
    });
    return;
  }
  root.namespace_name = namespace;
  root.name = shortName;
  notices.push({ path: '/name', message: `read as namespace_name '${namespace}' and name '${shortName}', as Tasker registers it` });
}

function checkNamedSteps(root: Record<string, unknown>, stepsKey: string, errors: ErrorDetail[]): void {
  const namedSteps = root.named_steps;
  delete root.named_steps;
  if (namedSteps === undefined) {
    return;
  }
  if (!Array.isArray(namedSteps) || !namedSteps.every((entry) => typeof entry === 'string')) {
    errors.push({ path: '/named_steps', message: 'must be a list of step names' });
    return;
  }
  const named = new Set<string>(namedSteps);
  const steps = Array.isArray(root.step_templates) ? root.step_templates : [];
  for (const [index, step] of steps.entries()) {
    if (!isRecord(step)) {
      continue;
    }
    const path = joinPointer(`/${stepsKey}`, index);
    if (typeof step.name === 'string' && !named.has(step.name)) {
      errors.push({ path: `${path}/name`, message: `step '${step.name}' is not in named_steps (${[...named].join(', ')})` });
    }
  }
}

function readRetry(step: Record<string, unknown>, context: StepContext): void {
  const { retry } = step;
  if (retry === undefined) {
    return;
  }
  delete step.retry;
  const path = `${context.writtenPath}/retry`;
  if (!isRecord(retry)) {
    context.errors.push({ path, message: 'must be a mapping (retryable, limit, backoff, backoff_base_ms, max_backoff_ms)' });
    return;
  }
  const backoff: Record<string, unknown> = isRecord(step.retry_backoff) ? { ...step.retry_backoff } : {};
  for (const [key, value] of Object.entries(retry)) {
    const keyPath = joinPointer(path, key);
    if (key === 'retryable') {
      step.default_retryable = value;
      context.renames.push({ from: `${context.path}/default_retryable`, to: keyPath });
    } else if (key === 'limit' || key === 'max_attempts') {
      step.default_retry_limit = value;
      context.renames.push({ from: `${context.path}/default_retry_limit`, to: keyPath });
    } else if (key === 'backoff_base_ms' || key === 'max_backoff_ms') {
      const target = key === 'backoff_base_ms' ? 'base_seconds' : 'max_seconds';
      backoff[target] = typeof value === 'number' ? value / 1000 : value;
      context.renames.push({ from: `${context.path}/retry_backoff/${target}`, to: keyPath });
    } else if (key === 'backoff') {
      context.notices.push(describeBackoffStrategy(keyPath, value));
    } else {
      context.notices.push({ path: keyPath, message: NO_EFFECT });
    }
  }
  if (Object.keys(backoff).length > 0) {
    step.retry_backoff = backoff;
  }
}

function describeBackoffStrategy(path: string, value: unknown): TemplateNotice {
  return value === 'exponential'
    ? { path, message: "accepted: Switchyard's retries back off exponentially (retry_backoff: base_seconds, max_seconds, jitter)" }
    : { path, message: `${NO_EFFECT}: Switchyard's retries always back off exponentially, not '${String(value)}'` };
}

/** tasker-core's `handler: {callable, initialization}` → `handler` and `handler_config`. */
function readHandlerDefinition(step: Record<string, unknown>, context: StepContext): void {
  const { handler } = step;
  if (!isRecord(handler)) {
    return;
  }
  const path = `${context.writtenPath}/handler`;
  delete step.handler;
  for (const [key, value] of Object.entries(handler)) {
    if (key === 'callable') {
      step.handler = value;
      context.renames.push({ from: `${context.path}/handler`, to: `${path}/callable` });
    } else if (key === 'initialization') {
      step.handler_config = value;
      context.renames.push({ from: `${context.path}/handler_config`, to: `${path}/initialization` });
    } else if (key === 'method' && value === 'call') {
      context.notices.push({ path: joinPointer(path, key), message: "accepted: Switchyard calls the handler's run(), as Tasker's default 'call'" });
    } else {
      const why = HANDLER_NO_EFFECT[key];
      context.notices.push({ path: joinPointer(path, key), message: why ? `${NO_EFFECT}: ${why}` : NO_EFFECT });
    }
  }
  if (step.handler === undefined) {
    context.errors.push({ path, message: 'needs callable: the handler to run (a registered name, or a class name a handler answers to)' });
  }
}

/** `url` (and Tasker's API settings) → a registered service; never a URL the server would call as written. */
function readHandlerConfigUrl(step: Record<string, unknown>, context: StepContext, handler: AnyStepHandler | undefined): AnyStepHandler | undefined {
  const config = step.handler_config;
  if (!isRecord(config) || config.url === undefined) {
    return handler;
  }
  const configPath = `${context.path}/handler_config`;
  const { url, type, params, ...rest } = config;
  const urlPath = `${configPath}/url`;
  if (typeof url !== 'string') {
    context.errors.push({ path: urlPath, message: 'must be a URL' });
    return handler;
  }
  const found = findServiceByUrl(context.options.serviceAliases, url);
  if (!found) {
    // The handler's own "service is required" would repeat this error, so it is reported here, once.
    step.handler_config = rest;
    context.renames.push({ from: `${configPath}/service`, to: urlPath });
    const example = context.options.services[0] ?? '<name>';
    context.errors.push({
      path: urlPath,
      message: `no registered service answers for ${url}; set ${serviceAliasesVariable(example)}=${url} (or SERVICE_<NAME>_ALIASES of the service that does; services: ${context.options.services.join(', ')})`,
    });
    return handler;
  }
  const isApiStep = type === 'api';
  for (const key of API_CONFIG_NO_EFFECT) {
    if (key in rest && isApiStep) {
      context.notices.push({ path: `${configPath}/${key}`, message: NO_EFFECT });
      delete rest[key];
    }
  }
  if (isApiStep && !handler) {
    // Tasker's API step: a call to that service, made by the built-in `http` handler.
    const next: Record<string, unknown> = { ...rest, service: found.service, path: found.path };
    if (params !== undefined) {
      next.body = params;
      next.method = 'POST';
      context.renames.push({ from: `${configPath}/body`, to: `${configPath}/params` });
    }
    step.handler_config = next;
    const handlerPath = step.handler_class !== undefined ? 'handler_class' : 'handler';
    context.notices.push({
      path: `${context.path}/${handlerPath}`,
      message: `runs as the built-in 'http' handler on service '${found.service}' (type: api); ${NO_EFFECT} for the class itself`,
    });
    delete step.handler_class;
    step.handler = 'http';
    context.renames.push({ from: `${configPath}/service`, to: urlPath });
    return context.options.handlers.get('http');
  }
  if (type !== undefined) {
    context.notices.push({ path: `${configPath}/type`, message: `${NO_EFFECT}: the step's handler '${handler?.name ?? '?'}' makes the call` });
  }
  if (params !== undefined) {
    context.notices.push({
      path: `${configPath}/params`,
      message: `${NO_EFFECT}: the step's handler '${handler?.name ?? '?'}' builds its own request`,
    });
  }
  step.handler_config = { ...rest, service: found.service };
  context.renames.push({ from: `${configPath}/service`, to: urlPath });
  context.notices.push({ path: urlPath, message: `calls service '${found.service}', which answers for ${found.alias}` });
  return handler;
}

/** `dependent_system` (or tasker-core's `system_dependency`, or the template's default) → the step's service when it names one. */
function readDependentSystem(step: Record<string, unknown>, context: StepContext, handler: AnyStepHandler | undefined, defaultSystem: unknown): void {
  const key = step.system_dependency !== undefined ? 'system_dependency' : 'dependent_system';
  const written = step[key];
  delete step.dependent_system;
  delete step.system_dependency;
  const system = written ?? defaultSystem;
  if (typeof system !== 'string') {
    if (written !== undefined) {
      context.errors.push({ path: `${context.writtenPath}/${key}`, message: 'must be a string naming a system' });
    }
    return;
  }
  const config = isRecord(step.handler_config) ? step.handler_config : {};
  const canUse = context.options.services.includes(system) && acceptsService(handler) && config.service === undefined;
  if (canUse) {
    step.handler_config = { ...config, service: system };
    if (written !== undefined) {
      context.renames.push({ from: `${context.path}/handler_config/service`, to: `${context.writtenPath}/${key}` });
      context.notices.push({ path: `${context.writtenPath}/${key}`, message: `the step's service: '${system}'` });
    }
    return;
  }
  if (written !== undefined) {
    const why = context.options.services.includes(system)
      ? config.service !== undefined
        ? `handler_config names service ${JSON.stringify(config.service)}`
        : 'its handler takes no service'
      : `'${system}' is not a registered service (services: ${context.options.services.join(', ')})`;
    context.notices.push({ path: `${context.writtenPath}/${key}`, message: `${NO_EFFECT}: ${why}` });
  }
}

/** tasker-core's step `type` (or `step_type`): a standard step runs as any step; the dynamic kinds are refused. */
function readStepType(step: Record<string, unknown>, context: StepContext): void {
  for (const key of ['type', 'step_type']) {
    if (!(key in step)) {
      continue;
    }
    const value = step[key];
    delete step[key];
    const path = `${context.writtenPath}/${key}`;
    if (value === 'standard') {
      context.notices.push({ path, message: 'accepted: a standard step, as every step here' });
    } else if (typeof value === 'string' && CORE_STEP_TYPES.includes(value)) {
      context.errors.push({
        path,
        message: `'${value}' steps create or join steps while the task runs, which Switchyard does not do: every step is created when the task starts; write the steps out, or leave this template in Tasker`,
      });
    } else {
      context.errors.push({ path, message: `must be one of ${CORE_STEP_TYPES.join(', ')}` });
    }
  }
  if ('batch_config' in step) {
    const path = `${context.writtenPath}/batch_config`;
    delete step.batch_config;
    context.errors.push({ path, message: 'batch workers are created while the task runs in tasker-core, which Switchyard does not do' });
  }
}

function readStep(step: Record<string, unknown>, context: StepContext, defaultSystem: unknown): Record<string, unknown> {
  const next = { ...step };
  readHandlerDefinition(next, context);
  readStepType(next, context);
  if (next.dependencies !== undefined) {
    next.depends_on_steps = next.dependencies;
    delete next.dependencies;
    context.renames.push({ from: `${context.path}/depends_on_steps`, to: `${context.writtenPath}/dependencies` });
  }
  readRetry(next, context);
  if (typeof next.retry_backoff === 'string') {
    context.notices.push(describeBackoffStrategy(`${context.writtenPath}/retry_backoff`, next.retry_backoff));
    delete next.retry_backoff;
  }
  for (const [key, why] of Object.entries(STEP_NO_EFFECT)) {
    if (key in next) {
      context.notices.push({ path: `${context.writtenPath}/${key}`, message: `${NO_EFFECT}: ${why}` });
      delete next[key];
    }
  }
  const handlerName = next.handler ?? next.handler_class;
  let handler = findHandler(context.options.handlers, handlerName);
  if (handler && handler.name !== handlerName) {
    // A Tasker class name the handler answers to: the step keeps the handler's own name.
    const key = next.handler !== undefined ? 'handler' : 'handler_class';
    next[key] = handler.name;
    context.notices.push({ path: `${context.path}/${key}`, message: `${String(handlerName)} → handler '${handler.name}' (one of its aliases)` });
  }
  handler = readHandlerConfigUrl(next, context, handler);
  readDependentSystem(next, context, handler, defaultSystem);
  return next;
}

/** Longest prefix first, again on the result (a key renamed inside a renamed step), a few times at most. */
function applyRenames(renames: readonly Rename[], path: string): string {
  let current = path;
  for (let round = 0; round < 4; round += 1) {
    let best: Rename | undefined;
    for (const rename of renames) {
      if ((current === rename.from || current.startsWith(`${rename.from}/`)) && (!best || rename.from.length > best.from.length)) {
        best = rename;
      }
    }
    if (!best) {
      break;
    }
    current = best.to + current.slice(best.from.length);
  }
  return current;
}

function moveKey(root: Record<string, unknown>, from: string, to: string, renames: Rename[], errors: ErrorDetail[]): void {
  if (root[from] === undefined) {
    return;
  }
  if (root[to] !== undefined) {
    errors.push({ path: `/${from}`, message: `give either ${to} or ${from} (tasker-core's name for it), not both` });
  } else {
    root[to] = root[from];
    renames.push({ from: `/${to}`, to: `/${from}` });
  }
  delete root[from];
}

export function readTaskerTemplate(value: unknown, options: TaskerReadOptions): TaskerReading {
  const notices: TemplateNotice[] = [];
  const errors: ErrorDetail[] = [];
  const renames: Rename[] = [];
  const toWrittenPath = (path: string) => applyRenames(renames, path);
  if (!isRecord(value)) {
    return { value, notices, errors, toWrittenPath };
  }
  const root = applyEnvironment(value, options.environment, notices, errors);
  const stepsKey = root.steps !== undefined && root.step_templates === undefined ? 'steps' : 'step_templates';
  moveKey(root, 'steps', 'step_templates', renames, errors);
  moveKey(root, 'input_schema', 'schema', renames, errors);
  readName(root, notices, errors);
  if (root.version === undefined) {
    root.version = TASKER_DEFAULT_VERSION;
    notices.push({ path: '/version', message: `not given: Tasker's default ${TASKER_DEFAULT_VERSION}` });
  }
  for (const [key, why] of Object.entries(TOP_LEVEL_NO_EFFECT)) {
    if (key in root) {
      notices.push({ path: `/${key}`, message: `${NO_EFFECT}: ${why}` });
      delete root[key];
    }
  }
  const defaultSystem = root.default_dependent_system;
  if (defaultSystem !== undefined) {
    const used = typeof defaultSystem === 'string' && options.services.includes(defaultSystem);
    notices.push({
      path: '/default_dependent_system',
      message: used
        ? `the service of every step that names none ('${defaultSystem}')`
        : `${NO_EFFECT}: ${JSON.stringify(defaultSystem)} is not a registered service (services: ${options.services.join(', ')})`,
    });
    delete root.default_dependent_system;
  }
  if (Array.isArray(root.step_templates)) {
    root.step_templates = root.step_templates.map((step: unknown, index) => {
      if (!isRecord(step)) {
        return step;
      }
      const path = joinPointer('/step_templates', index);
      const context: StepContext = { path, writtenPath: joinPointer(`/${stepsKey}`, index), options, notices, errors, renames };
      return readStep(step, context, defaultSystem);
    });
  }
  checkNamedSteps(root, stepsKey, errors);
  const written = (detail: ErrorDetail) => ({ ...detail, path: toWrittenPath(detail.path) });
  return { value: root, notices: notices.map(written), errors: errors.map(written), toWrittenPath };
}
