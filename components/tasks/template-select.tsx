'use client';

import { useTemplateList } from '../../lib/api/templates';

export type TemplateFilter = { namespace?: string; name?: string };

/** "blog_examples/user_registration", or only the part a link gives. */
export function describeTemplateFilter({ namespace, name }: TemplateFilter): string {
  return namespace && name ? `${namespace}/${name}` : namespace ? `namespace ${namespace}` : `name ${name ?? ''}`;
}

/**
 * A filter bar's template field: every template as namespace/name (a filter from a link that names no
 * known template stays shown as it is), and the templates' load error with a retry beside it.
 */
export function TemplateSelect({
  value,
  onChange,
  anyLabel,
}: {
  value: TemplateFilter;
  onChange: (value: TemplateFilter) => void;
  anyLabel: string;
}) {
  const templates = useTemplateList();
  const applied = value.namespace || value.name ? `${value.namespace ?? ''}/${value.name ?? ''}` : '';
  const choices = (templates.data ?? [])
    .map((item) => `${item.namespace}/${item.name}`)
    .filter((choice, index, all) => all.indexOf(choice) === index)
    .sort();
  return (
    <>
      <label className="field">
        <span>template</span>
        <select
          name="template"
          value={applied}
          onChange={(event) => {
            const [namespace, name] = event.target.value ? event.target.value.split('/') : [];
            onChange({ namespace: namespace || undefined, name: name || undefined });
          }}
        >
          <option value="">{anyLabel}</option>
          {applied && !choices.includes(applied) ? <option value={applied}>{describeTemplateFilter(value)}</option> : null}
          {choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      </label>
      {templates.isError ? (
        <p className="field-error" role="status">
          Couldn’t load the templates.{' '}
          <button type="button" className="link-button" onClick={() => void templates.refetch()}>
            Retry
          </button>
        </p>
      ) : null}
    </>
  );
}
