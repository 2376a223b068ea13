import { describe, expect, it } from 'vitest';
import { readPrometheusSamples } from './prometheus-text';

const text = `# HELP switchyard_tasks Tasks by template and status
# TYPE switchyard_tasks gauge
switchyard_tasks{namespace="blog_examples",name="user_registration",status="complete"} 1990
switchyard_tasks{namespace="blog_examples",name="user_registration",status="error"} 7
switchyard_tasks_created_total{namespace="blog_examples",name="user_registration"} 2000
switchyard_steps{status="waiting_retry"} 3
switchyard_odd{label="a \\"quoted\\" value"} NaN
`;

describe('readPrometheusSamples', () => {
  it('reads one metric with its labels, ignoring others with a longer name', () => {
    expect(readPrometheusSamples(text, 'switchyard_tasks')).toEqual([
      { labels: { namespace: 'blog_examples', name: 'user_registration', status: 'complete' }, value: 1990 },
      { labels: { namespace: 'blog_examples', name: 'user_registration', status: 'error' }, value: 7 },
    ]);
    expect(readPrometheusSamples(text, 'switchyard_steps')).toEqual([{ labels: { status: 'waiting_retry' }, value: 3 }]);
  });

  it('skips values that are not numbers and unescapes labels', () => {
    expect(readPrometheusSamples(text, 'switchyard_odd')).toEqual([]);
    expect(readPrometheusSamples('m{a="x \\"y\\""} 1', 'm')).toEqual([{ labels: { a: 'x "y"' }, value: 1 }]);
  });
});
