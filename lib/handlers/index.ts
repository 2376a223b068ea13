import type { StepHandler } from './define-step-handler';
import { httpRequest } from './http-request';
import { registrationHandlers } from './registration';
import { testHandlers } from './test-handlers';

// The registry, not a barrel: handlers are looked up by the name templates give in `handler`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler types its own config
export type AnyStepHandler = StepHandler<any>;
export type HandlerRegistry = ReadonlyMap<string, AnyStepHandler>;

export function createHandlerRegistry(handlers: readonly AnyStepHandler[]): HandlerRegistry {
  const registry = new Map<string, AnyStepHandler>();
  for (const handler of handlers) {
    for (const name of [handler.name, ...(handler.aliases ?? [])]) {
      if (registry.has(name)) {
        throw new Error(`Two handlers are named ${name}`);
      }
      registry.set(name, handler);
    }
  }
  return registry;
}

/** The handlers' own names, without their aliases, sorted. */
export function listHandlerNames(registry: HandlerRegistry): string[] {
  return [...registry.entries()]
    .filter(([name, handler]) => name === handler.name)
    .map(([name]) => name)
    .sort();
}

/** Handlers every deployment has. */
export const builtInHandlers: readonly AnyStepHandler[] = [httpRequest, ...registrationHandlers];

/** The built-in handlers, plus the deterministic test handlers when `withTestHandlers` (tests, E2E=1). */
export function defaultHandlerRegistry({ withTestHandlers = false } = {}): HandlerRegistry {
  return createHandlerRegistry(withTestHandlers ? [...builtInHandlers, ...testHandlers] : builtInHandlers);
}
