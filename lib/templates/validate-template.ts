import { isRecord } from '../api/is-record';
import type { Dag, DagEdge, DagNode } from '../api/types';
import type { ErrorDetail } from '../errors';
import { listHandlerNames, type AnyStepHandler, type HandlerRegistry } from '../handlers/index';
import type { ServiceAliases } from '../services/service-registry';
import { findUnstorableText, UNSTORABLE_TEXT_MESSAGE } from '../storable-text';
import { checkJsonSchema, compileSchema, joinPointer, type ValidationResult } from '../validation';
import { findLine, parseTemplateYaml, type YamlLineMap } from './parse-template-yaml';
import { readTaskerTemplate, type TemplateNotice } from './read-tasker-template';
import { createDefaultContextSchema, DEFAULT_NAMESPACE, TEMPLATE_DEFAULTS, type StepTemplate, type TemplateDefinition } from './template-definition';
import { templateSchema, type RawStepTemplate, type RawTemplate } from './template-schema';

export type TemplateValidationOptions = {
  handlers: HandlerRegistry;
  /** Names of the services a template may name in `handler_config.service`. */
  services: readonly string[];
  /** URL → service, for a Tasker template's `handler_config.url`; none when absent. */
  serviceAliases?: ServiceAliases;
  /** Picks a template's `environments.<name>` overrides (SWITCHYARD_ENV, else NODE_ENV). */
  environment?: string;
  /** Used in YAML syntax error messages. */
  filename?: string;
};

/** `notices`: Tasker keys that were read, and those accepted that have no effect here, each with its path. */
export type TemplateValidation =
  | { valid: true; definition: TemplateDefinition; dag: Dag; errors: []; notices: TemplateNotice[] }
  | { valid: false; errors: ErrorDetail[]; notices: TemplateNotice[]; dag: Dag | null };

const validateTemplateShape = compileSchema<RawTemplate>(templateSchema);

const handlerConfigValidators = new WeakMap<AnyStepHandler, (config: unknown) => ValidationResult<unknown>>();

function findHandlerConfigValidator(handler: AnyStepHandler): (config: unknown) => ValidationResult<unknown> {
  let validator = handlerConfigValidators.get(handler);
  if (!validator) {
    validator = compileSchema<unknown>(handler.configSchema);
    handlerConfigValidators.set(handler, validator);
  }
  return validator;
}

function quoteList(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : '(none)';
}

/** A dependency as written, with the path of the entry that declares it. */
type DependencyEntry = { name: string; path: string };

/**
 * What the later checks need from one step, read leniently: a step with a bad shape still takes part
 * in the graph checks as far as it can, so that one pass reports every problem.
 */
type StepOutline = {
  index: number;
  path: string;
  raw: Record<string, unknown>;
  name: string | undefined;
  handler: { name: string; path: string } | undefined;
  dependencies: DependencyEntry[];
};

function outlineSteps(root: Record<string, unknown>, errors: ErrorDetail[]): StepOutline[] | undefined {
  const stepTemplates = root.step_templates;
  if (!Array.isArray(stepTemplates)) {
    return undefined;
  }
  const outlines: StepOutline[] = [];
  for (const [index, step] of stepTemplates.entries()) {
    if (!isRecord(step)) {
      continue;
    }
    const path = joinPointer('/step_templates', index);
    const { handler, handler_class: handlerClass, depends_on_steps: dependsOnSteps, depends_on_step: dependsOnStep } = step;
    let handlerRef: StepOutline['handler'];
    if (handler !== undefined && handlerClass !== undefined) {
      errors.push({ path: `${path}/handler_class`, message: 'give either handler or handler_class (its alias), not both' });
    } else if (handler === undefined && handlerClass === undefined) {
      errors.push({ path: `${path}/handler`, message: 'is required (or its alias handler_class)' });
    }
    if (typeof handler === 'string' && handler !== '') {
      handlerRef = { name: handler, path: `${path}/handler` };
    } else if (typeof handlerClass === 'string' && handlerClass !== '') {
      handlerRef = { name: handlerClass, path: `${path}/handler_class` };
    }
    const dependencies: DependencyEntry[] = [];
    if (Array.isArray(dependsOnSteps)) {
      for (const [entryIndex, entry] of dependsOnSteps.entries()) {
        if (typeof entry === 'string') {
          dependencies.push({ name: entry, path: joinPointer(`${path}/depends_on_steps`, entryIndex) });
        }
      }
    }
    if (typeof dependsOnStep === 'string') {
      dependencies.push({ name: dependsOnStep, path: `${path}/depends_on_step` });
    }
    outlines.push({
      index,
      path,
      raw: step,
      name: typeof step.name === 'string' ? step.name : undefined,
      handler: handlerRef,
      dependencies,
    });
  }
  return outlines;
}

/** The graph among named steps: the first step of a name wins, and only dependencies that can be edges count. */
type StepGraph = { names: string[]; dependencies: Map<string, DependencyEntry[]> };

function checkStepGraph(outlines: readonly StepOutline[], errors: ErrorDetail[]): void {
  const firstIndexByName = new Map<string, number>();
  for (const outline of outlines) {
    if (outline.name === undefined) {
      continue;
    }
    const firstIndex = firstIndexByName.get(outline.name);
    if (firstIndex !== undefined) {
      errors.push({ path: `${outline.path}/name`, message: `duplicate step name '${outline.name}' (also step ${firstIndex})` });
    } else {
      firstIndexByName.set(outline.name, outline.index);
    }
  }
  const names = [...firstIndexByName.keys()];
  const dependencies = new Map<string, DependencyEntry[]>();
  for (const outline of outlines) {
    if (outline.name === undefined || firstIndexByName.get(outline.name) !== outline.index) {
      continue;
    }
    const valid: DependencyEntry[] = [];
    for (const dependency of outline.dependencies) {
      if (dependency.name === outline.name) {
        errors.push({ path: dependency.path, message: `step '${outline.name}' cannot depend on itself` });
      } else if (!firstIndexByName.has(dependency.name)) {
        errors.push({ path: dependency.path, message: `depends on unknown step '${dependency.name}'; steps: ${quoteList(names)}` });
      } else if (!valid.some((entry) => entry.name === dependency.name)) {
        valid.push(dependency);
      }
    }
    dependencies.set(outline.name, valid);
  }
  errors.push(...findCycles({ names, dependencies }));
}

/** Kahn's algorithm on the steps still in `remaining`: removes every step that can be ordered. */
function removeOrderableSteps(graph: StepGraph, remaining: Set<string>): void {
  const pendingCount = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const name of remaining) {
    const dependencies = (graph.dependencies.get(name) ?? []).filter((entry) => remaining.has(entry.name));
    pendingCount.set(name, dependencies.length);
    for (const entry of dependencies) {
      const list = dependents.get(entry.name);
      if (list) {
        list.push(name);
      } else {
        dependents.set(entry.name, [name]);
      }
    }
  }
  const ready = [...remaining].filter((name) => pendingCount.get(name) === 0);
  for (let name = ready.pop(); name !== undefined; name = ready.pop()) {
    remaining.delete(name);
    for (const dependent of dependents.get(name) ?? []) {
      const count = (pendingCount.get(dependent) ?? 0) - 1;
      pendingCount.set(dependent, count);
      if (count === 0) {
        ready.push(dependent);
      }
    }
  }
}

/** One error per cycle, naming it in running order ("a → b → c → a"), reported on the dependency that closes it. */
function findCycles(graph: StepGraph): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const order = new Map(graph.names.map((name, index) => [name, index]));
  const remaining = new Set(graph.names);
  removeOrderableSteps(graph, remaining);
  while (remaining.size > 0) {
    // Every step left waits on another step left, so following dependencies must come back to a step seen before.
    const walk: string[] = [];
    const seenAt = new Map<string, number>();
    let current = graph.names.find((name) => remaining.has(name));
    while (current !== undefined && !seenAt.has(current)) {
      seenAt.set(current, walk.length);
      walk.push(current);
      current = (graph.dependencies.get(current) ?? []).find((entry) => remaining.has(entry.name))?.name;
    }
    if (current === undefined) {
      break;
    }
    const cycle = walk.slice(seenAt.get(current)).reverse();
    const firstPosition = cycle.reduce((best, name, position) => ((order.get(name) ?? 0) < (order.get(cycle[best] ?? '') ?? 0) ? position : best), 0);
    const running = [...cycle.slice(firstPosition), ...cycle.slice(0, firstPosition)];
    const first = running[0] ?? '';
    const last = running.at(-1) ?? '';
    const closing = (graph.dependencies.get(first) ?? []).find((entry) => entry.name === last);
    errors.push({
      path: closing?.path ?? '',
      message: `cycle: ${[...running, first].join(' → ')}`,
    });
    for (const name of running) {
      remaining.delete(name);
    }
    removeOrderableSteps(graph, remaining);
  }
  return errors;
}

function checkHandlers(outlines: readonly StepOutline[], options: TemplateValidationOptions, errors: ErrorDetail[]): void {
  const knownHandlers = listHandlerNames(options.handlers);
  for (const outline of outlines) {
    const config = outline.raw.handler_config;
    const configPath = `${outline.path}/handler_config`;
    const configErrors: ErrorDetail[] = [];
    if (outline.handler) {
      const handler = options.handlers.get(outline.handler.name);
      if (!handler) {
        errors.push({
          path: outline.handler.path,
          message:
            `unknown handler '${outline.handler.name}'; registered: ${quoteList(knownHandlers)}. ` +
            `To run a Tasker class with one of them, add '${outline.handler.name}' to that handler's aliases (defineStepHandler({ aliases }))`,
        });
      } else if (config === undefined || isRecord(config)) {
        const result = findHandlerConfigValidator(handler)(structuredClone(config ?? {}));
        if (!result.ok) {
          configErrors.push(...result.errors.map((error) => ({ ...error, path: configPath + error.path })));
        }
      }
    }
    errors.push(...configErrors);
    if (isRecord(config) && config.service !== undefined) {
      const servicePath = `${configPath}/service`;
      if (typeof config.service !== 'string') {
        if (!configErrors.some((error) => error.path === servicePath)) {
          errors.push({ path: servicePath, message: 'must be a string naming a service' });
        }
      } else if (!options.services.includes(config.service)) {
        errors.push({ path: servicePath, message: `unknown service '${config.service}'; known: ${quoteList(options.services)}` });
      }
    }
  }
}

/** A step's `compensation` is checked like a step: its handler is registered, its config valid, its service known. */
function checkCompensations(outlines: readonly StepOutline[], options: TemplateValidationOptions, errors: ErrorDetail[]): void {
  for (const outline of outlines) {
    const compensation = outline.raw.compensation;
    if (!isRecord(compensation) || typeof compensation.handler !== 'string') {
      continue;
    }
    const path = `${outline.path}/compensation`;
    const handler = options.handlers.get(compensation.handler);
    const config = compensation.handler_config;
    if (!handler) {
      errors.push({
        path: `${path}/handler`,
        message: `unknown handler '${compensation.handler}'; registered: ${quoteList(listHandlerNames(options.handlers))}`,
      });
    } else if (config === undefined || isRecord(config)) {
      const result = findHandlerConfigValidator(handler)(structuredClone(config ?? {}));
      if (!result.ok) {
        errors.push(...result.errors.map((error) => ({ ...error, path: `${path}/handler_config${error.path}` })));
        continue;
      }
    }
    if (isRecord(config) && typeof config.service === 'string' && !options.services.includes(config.service)) {
      errors.push({ path: `${path}/handler_config/service`, message: `unknown service '${config.service}'; known: ${quoteList(options.services)}` });
    }
    checkSkipWhen(outline, compensation.skip_when, `${path}/skip_when`, errors);
  }
}

/**
 * `skip_when` names fields of the step's results: when the step declares a results_schema that allows no
 * other fields, each must be one of its properties (else the compensation would always run).
 */
function checkSkipWhen(outline: StepOutline, skipWhen: unknown, path: string, errors: ErrorDetail[]): void {
  const resultsSchema = outline.raw.results_schema;
  if (!isRecord(skipWhen) || !isRecord(resultsSchema) || resultsSchema.additionalProperties !== false) {
    return;
  }
  const properties = isRecord(resultsSchema.properties) ? Object.keys(resultsSchema.properties) : [];
  for (const field of Object.keys(skipWhen)) {
    if (!properties.includes(field)) {
      errors.push({
        path: joinPointer(path, field),
        message: `'${field}' is not a field of the step's results: its results_schema allows only ${quoteList(properties)}`,
      });
    }
  }
}

function checkRetryBackoff(outlines: readonly StepOutline[], errors: ErrorDetail[]): void {
  for (const outline of outlines) {
    const backoff = outline.raw.retry_backoff;
    if (!isRecord(backoff)) {
      continue;
    }
    const base = typeof backoff.base_seconds === 'number' ? backoff.base_seconds : TEMPLATE_DEFAULTS.backoff.baseSeconds;
    const max = typeof backoff.max_seconds === 'number' ? backoff.max_seconds : TEMPLATE_DEFAULTS.backoff.maxSeconds;
    if (max < base) {
      const key = backoff.max_seconds === undefined ? 'base_seconds' : 'max_seconds';
      errors.push({ path: `${outline.path}/retry_backoff/${key}`, message: `max_seconds (${max}) must be at least base_seconds (${base})` });
    }
  }
}

/** Follows a local `$ref` (`#/definitions/x`) inside the root schema. */
function resolveLocalRef(root: Record<string, unknown>, ref: string): unknown {
  if (!ref.startsWith('#')) {
    return undefined;
  }
  let node: unknown = root;
  for (const segment of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~');
    node = isRecord(node) ? node[key] : undefined;
  }
  return node;
}

/** The subschema of property `name` of `schema`, looking through `$ref`, `allOf`, `anyOf`, `oneOf` and `if`/`then`/`else`. */
function findPropertySchema(root: Record<string, unknown>, schema: unknown, name: string, depth = 0): unknown {
  if (!isRecord(schema) || depth > 20) {
    return undefined;
  }
  if (isRecord(schema.properties) && Object.hasOwn(schema.properties, name)) {
    return schema.properties[name];
  }
  const branches: unknown[] = [];
  if (typeof schema.$ref === 'string') {
    branches.push(resolveLocalRef(root, schema.$ref));
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[keyword];
    if (Array.isArray(list)) {
      branches.push(...(list as unknown[]));
    }
  }
  branches.push(schema.then, schema.else);
  for (const branch of branches) {
    const found = findPropertySchema(root, branch, name, depth + 1);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** A step's `results_schema` must be a JSON Schema this validator can use: resolve checks an operator's results with it. */
function checkResultsSchemas(outlines: readonly StepOutline[], errors: ErrorDetail[]): void {
  for (const outline of outlines) {
    const schema = outline.raw.results_schema;
    if (isRecord(schema)) {
      errors.push(...checkJsonSchema(schema).map((error) => ({ ...error, path: `${outline.path}/results_schema${error.path}` })));
    }
  }
}

function checkContextSchema(root: Record<string, unknown>, errors: ErrorDetail[]): void {
  const schema = root.schema === undefined ? createDefaultContextSchema() : root.schema;
  if (!isRecord(schema)) {
    return;
  }
  const schemaErrors = checkJsonSchema(schema).map((error) => ({ ...error, path: `/schema${error.path}` }));
  errors.push(...schemaErrors);
  if (schemaErrors.length > 0) {
    return;
  }
  if (schema.type !== undefined && schema.type !== 'object') {
    errors.push({ path: '/schema/type', message: "a task's context is an object: must be 'object'" });
  }
  const identity = root.identity;
  const fields = isRecord(identity) && Array.isArray(identity.fields) ? (identity.fields as unknown[]) : [];
  for (const [index, field] of fields.entries()) {
    if (typeof field !== 'string') {
      continue;
    }
    let current: unknown = schema;
    let declaredPath = '/schema';
    for (const segment of field.split('.')) {
      current = findPropertySchema(schema, current, segment);
      if (current === undefined) {
        errors.push({
          path: joinPointer('/identity/fields', index),
          message: `'${field}' is not declared in the schema (no property '${segment}' under ${declaredPath})`,
        });
        break;
      }
      declaredPath = `${declaredPath}/properties/${segment}`;
    }
  }
}

function buildDag(outlines: readonly StepOutline[]): Dag {
  const nodes: DagNode[] = [];
  const seen = new Set<string>();
  for (const outline of outlines) {
    if (outline.name === undefined || seen.has(outline.name)) {
      continue;
    }
    seen.add(outline.name);
    const config = outline.raw.handler_config;
    nodes.push({
      id: outline.name,
      label: outline.name,
      handler: outline.handler?.name ?? '',
      service: isRecord(config) && typeof config.service === 'string' ? config.service : null,
    });
  }
  const edges: DagEdge[] = [];
  const added = new Set<string>();
  for (const outline of outlines) {
    if (outline.name === undefined) {
      continue;
    }
    for (const dependency of outline.dependencies) {
      const key = `${dependency.name}\u0000${outline.name}`;
      if (seen.has(dependency.name) && dependency.name !== outline.name && !added.has(key)) {
        added.add(key);
        edges.push({ source: dependency.name, target: outline.name });
      }
    }
  }
  return { nodes, edges };
}

/** The graph of a template's steps: one node per step, an edge from each dependency to its dependent. */
export function templateDag(definition: TemplateDefinition): Dag {
  return {
    nodes: definition.steps.map((step) => ({ id: step.name, label: step.name, handler: step.handler, service: step.service })),
    edges: definition.steps.flatMap((step) => step.dependsOn.map((dependency) => ({ source: dependency, target: step.name }))),
  };
}

function toStepTemplate(raw: RawStepTemplate): StepTemplate {
  const handlerConfig = raw.handler_config ?? {};
  const compensationConfig = raw.compensation?.handler_config ?? {};
  const dependsOn = [...(raw.depends_on_steps ?? []), ...(raw.depends_on_step !== undefined ? [raw.depends_on_step] : [])];
  const defaults = TEMPLATE_DEFAULTS;
  return {
    name: raw.name,
    description: raw.description ?? null,
    handler: raw.handler ?? raw.handler_class ?? '',
    handlerConfig,
    service: typeof handlerConfig.service === 'string' ? handlerConfig.service : null,
    dependsOn: [...new Set(dependsOn)],
    // Only when given, so a template without one keeps the definition (and content hash) it always had.
    ...(raw.compensation !== undefined
      ? {
          compensation: {
            handler: raw.compensation.handler,
            handlerConfig: compensationConfig,
            service: typeof compensationConfig.service === 'string' ? compensationConfig.service : null,
            timeoutSeconds: raw.compensation.timeout_seconds ?? defaults.timeoutSeconds,
            retryLimit: raw.compensation.default_retry_limit ?? defaults.retryLimit,
            ...(raw.compensation.skip_when !== undefined ? { skipWhen: raw.compensation.skip_when } : {}),
          },
        }
      : {}),
    retryable: raw.default_retryable ?? defaults.retryable,
    retryLimit: raw.default_retry_limit ?? defaults.retryLimit,
    timeoutSeconds: raw.timeout_seconds ?? defaults.timeoutSeconds,
    skippable: raw.skippable ?? defaults.skippable,
    backoff: {
      baseSeconds: raw.retry_backoff?.base_seconds ?? defaults.backoff.baseSeconds,
      maxSeconds: raw.retry_backoff?.max_seconds ?? defaults.backoff.maxSeconds,
      jitter: raw.retry_backoff?.jitter ?? defaults.backoff.jitter,
      maxRetryAfterSeconds: raw.retry_backoff?.max_retry_after_seconds ?? defaults.backoff.maxRetryAfterSeconds,
      maxRateLimitedSeconds: raw.max_rate_limited_seconds ?? defaults.backoff.maxRateLimitedSeconds,
    },
    // Only when given, so a template without one keeps the definition (and content hash) it always had.
    ...(raw.results_schema !== undefined ? { resultsSchema: raw.results_schema } : {}),
  };
}

function toTemplateDefinition(raw: RawTemplate): TemplateDefinition {
  // Only when given, so a template without one keeps the definition (and content hash) it always had.
  const defaultContext = raw.default_context !== undefined ? { defaultContext: raw.default_context } : {};
  return {
    ...defaultContext,
    ...(raw.on_failure !== undefined ? { onFailure: raw.on_failure } : {}),
    namespace: raw.namespace_name ?? DEFAULT_NAMESPACE,
    name: raw.name,
    version: raw.version,
    description: raw.description ?? null,
    schema: raw.schema ?? createDefaultContextSchema(),
    identityFields: raw.identity?.fields ?? [],
    steps: raw.step_templates.map(toStepTemplate),
  };
}

/** The most steps a template may have: a task copies every one in its creating transaction. */
export const MAX_TEMPLATE_STEPS = 10_000;

function checkStepCount(root: Record<string, unknown>, errors: ErrorDetail[]): void {
  const stepCount = Array.isArray(root.step_templates) ? root.step_templates.length : 0;
  if (stepCount > MAX_TEMPLATE_STEPS) {
    errors.push({
      path: '/step_templates',
      message: `has ${stepCount.toLocaleString('en-US')} steps; a template may have at most ${MAX_TEMPLATE_STEPS.toLocaleString('en-US')} (split the work into several templates)`,
    });
  }
}

/** YAML escapes (`"\0"`, `"\ud800"`) can make text PostgreSQL cannot store; refused here, not by the save. */
function checkStorableText(value: unknown, errors: ErrorDetail[]): void {
  const path = findUnstorableText(value);
  if (path !== undefined) {
    errors.push({ path: path === '/' ? '' : path, message: UNSTORABLE_TEXT_MESSAGE });
  }
}

function attachLines(errors: readonly ErrorDetail[], lines: YamlLineMap): ErrorDetail[] {
  const withLines = errors.map((error) => {
    const line = error.line ?? findLine(lines, error.path);
    return line === undefined ? error : { ...error, line };
  });
  return withLines.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** The checks of a template in Switchyard's format, in order; paths are those of `value`. */
function checkTemplateValue(value: unknown, options: TemplateValidationOptions) {
  const errors: ErrorDetail[] = [];
  const shape = validateTemplateShape(value);
  if (!shape.ok) {
    errors.push(...shape.errors);
  }
  const root = isRecord(value) ? value : {};
  checkStorableText(value, errors);
  checkStepCount(root, errors);
  checkContextSchema(root, errors);
  const outlines = outlineSteps(root, errors);
  if (outlines) {
    checkStepGraph(outlines, errors);
    checkHandlers(outlines, options, errors);
    checkCompensations(outlines, options, errors);
    checkRetryBackoff(outlines, errors);
    checkResultsSchemas(outlines, errors);
  }
  const dag = outlines ? buildDag(outlines) : null;
  return { errors, shape, dag };
}

/**
 * Checks a template's YAML and reports every problem at once, each with its JSON Pointer path and line:
 * the shape, the context schema and identity fields, step names and dependencies (duplicates, unknown
 * steps, cycles), handlers and their config, and services. The DAG is returned whenever the steps can be
 * read, even when invalid, so an editor can draw the cycle it reports.
 */
export function validateTemplate(yamlText: string, options: TemplateValidationOptions): TemplateValidation {
  const parsed = parseTemplateYaml(yamlText, options.filename !== undefined ? { filename: options.filename } : {});
  if (!parsed.ok) {
    return { valid: false, errors: parsed.errors, notices: [], dag: null };
  }
  const tasker = readTaskerTemplate(parsed.value, {
    handlers: options.handlers,
    services: options.services,
    serviceAliases: options.serviceAliases ?? new Map(),
    environment: options.environment,
  });
  const notices = attachLines(tasker.notices, parsed.lines);
  const errors: ErrorDetail[] = [...tasker.errors];
  const { errors: checked, shape, dag } = checkTemplateValue(tasker.value, options);
  // A path Tasker's reading already refused is not refused again by the checks that follow it.
  const refused = new Set(tasker.errors.map((error) => error.path));
  errors.push(...checked.map((error) => ({ ...error, path: tasker.toWrittenPath(error.path) })).filter((error) => !refused.has(error.path)));
  if (!shape.ok || errors.length > 0 || !dag) {
    return { valid: false, errors: attachLines(errors, parsed.lines), notices, dag };
  }
  const definition = toTemplateDefinition(shape.value);
  return { valid: true, definition, dag: templateDag(definition), errors: [], notices };
}
