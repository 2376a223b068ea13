import { describe, expect, it } from 'vitest';
import { PermanentError } from '../errors';
import { listTemplateReferences, parseTemplateReference, renderTemplateValues, type TemplateScope } from './render-template-values';

const scope: TemplateScope = {
  context: {
    user_info: { email: 'ada@example.com', name: 'Ada', plan: 'pro', seats: 3, trial: false, nickname: null },
    tags: ['a', 'b'],
  },
  results: { create_user: { id: 'usr_1', emails: [{ template: 'welcome' }] } },
  task: { id: '42', namespace: 'blog_examples', name: 'user_registration', version: '1.0.0' },
  step: { id: '7', name: 'setup_billing' },
  attempt: 2,
};

function renderError(value: unknown): PermanentError {
  try {
    renderTemplateValues(value, scope, { location: 'handler_config.body' });
  } catch (error) {
    expect(error).toBeInstanceOf(PermanentError);
    return error as PermanentError;
  }
  throw new Error('expected a template_reference error');
}

describe('renderTemplateValues', () => {
  it('replaces a string that is exactly one reference by the value itself, of any JSON type', () => {
    expect(
      renderTemplateValues(
        {
          email: '{{ context.user_info.email }}',
          seats: '{{context.user_info.seats}}',
          trial: '{{ context.user_info.trial }}',
          nickname: '{{ context.user_info.nickname }}',
          user: '{{ context.user_info }}',
          tags: '{{ context.tags }}',
          first_tag: '{{ context.tags[0] }}',
          second_tag: '{{ context.tags.1 }}',
          user_id: '{{ results.create_user.id }}',
          first_email: '{{ results.create_user.emails[0].template }}',
          attempt: '{{ attempt }}',
        },
        scope,
      ),
    ).toEqual({
      email: 'ada@example.com',
      seats: 3,
      trial: false,
      nickname: null,
      user: scope.context.user_info,
      tags: ['a', 'b'],
      first_tag: 'a',
      second_tag: 'b',
      user_id: 'usr_1',
      first_email: 'welcome',
      attempt: 2,
    });
  });

  it('interpolates references inside other text', () => {
    expect(
      renderTemplateValues(
        [
          '{{ task.id }}/{{ step.name }}#{{ attempt }}',
          'seats={{ context.user_info.seats }} trial={{ context.user_info.trial }}',
          'tags: {{ context.tags }}',
        ],
        scope,
      ),
    ).toEqual(['42/setup_billing#2', 'seats=3 trial=false', 'tags: ["a","b"]']);
  });

  it('leaves keys, numbers and text without references alone, and does not change its input', () => {
    const input = { '{{ context.tags }}': 'plain', n: 1, nested: [{ ok: true, note: 'no {refs} here' }] };
    const copy = structuredClone(input);
    expect(renderTemplateValues(input, scope)).toEqual(input);
    expect(input).toEqual(copy);
  });

  it('encodes interpolated pieces when asked, also for a whole-string reference', () => {
    const withSlash: TemplateScope = { ...scope, context: { id: 'a/../b c' } };
    expect(renderTemplateValues('/users/{{ context.id }}', withSlash, { encodeInterpolated: encodeURIComponent })).toBe('/users/a%2F..%2Fb%20c');
    expect(renderTemplateValues('{{ context.id }}', withSlash, { encodeInterpolated: encodeURIComponent })).toBe('a%2F..%2Fb%20c');
  });

  it('fails for good on a reference to a missing value, naming where it is', () => {
    const error = renderError({ user: { email: '{{ context.user_info.emial }}' } });
    expect(error.errorCode).toBe('template_reference');
    expect(error.message).toContain('handler_config.body.user.email');
    expect(error.message).toContain('context.user_info has no "emial"');

    expect(renderError('{{ results.other_step.id }}').message).toContain('results has no "other_step"');
    expect(renderError('id={{ context.tags[5] }}').message).toContain('[5]');
    expect(renderError('{{ context.user_info.email.length }}').errorCode).toBe('template_reference');
  });

  it('never reads inherited properties', () => {
    expect(renderError('{{ context.constructor }}').errorCode).toBe('template_reference');
    expect(renderError('{{ context.__proto__ }}').errorCode).toBe('template_reference');
  });

  it('fails for good on an unknown root or bad syntax', () => {
    expect(renderError('{{ env.SECRET }}').message).toContain('must start with one of');
    expect(renderError('{{ context..x }}').message).toContain('not a valid reference');
    expect(renderError('{{ context.a b }}').errorCode).toBe('template_reference');
    expect(renderError('{{ }}').errorCode).toBe('template_reference');
  });
});

describe('parseTemplateReference and listTemplateReferences', () => {
  it('parses roots, keys and indexes', () => {
    expect(parseTemplateReference(' results.create_user.emails[0].template ')).toEqual({
      root: 'results',
      segments: ['create_user', 'emails', 0, 'template'],
    });
    expect(parseTemplateReference('attempt')).toEqual({ root: 'attempt', segments: [] });
  });

  it('lists every reference with where it sits', () => {
    expect(listTemplateReferences({ a: ['x {{ context.a }} {{ results.s.id }}'], b: 1 }, 'body')).toEqual([
      { location: 'body.a[0]', expression: 'context.a' },
      { location: 'body.a[0]', expression: 'results.s.id' },
    ]);
  });
});
