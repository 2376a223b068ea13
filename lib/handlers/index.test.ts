import { describe, expect, it } from 'vitest';
import { defineStepHandler } from './define-step-handler';
import { createHandlerRegistry, defaultHandlerRegistry, listHandlerNames } from './index';

const handle = () => Promise.resolve({});

describe('createHandlerRegistry', () => {
  it('finds a handler by its name and by each of its aliases, and lists only the names', () => {
    const noop = defineStepHandler({ name: 'noop', aliases: ['Ops::NoopHandler'], description: '', configSchema: {}, handle });
    const registry = createHandlerRegistry([noop]);
    expect(registry.get('Ops::NoopHandler')).toBe(noop);
    expect(listHandlerNames(registry)).toEqual(['noop']);
  });

  it('refuses an alias that is another handler’s name or alias', () => {
    const first = defineStepHandler({ name: 'first', aliases: ['Shared'], description: '', configSchema: {}, handle });
    const second = defineStepHandler({ name: 'second', aliases: ['Shared'], description: '', configSchema: {}, handle });
    expect(() => createHandlerRegistry([first, second])).toThrow('Two handlers are named Shared');
  });

  it("answers to the class names of Tasker's blog example", () => {
    const registry = defaultHandlerRegistry();
    expect(registry.get('BlogExamples::Post03::StepHandlers::SendWelcomeSequenceHandler')?.name).toBe('registration.send_welcome_sequence');
  });
});
