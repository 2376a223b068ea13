import { queryOptions, useQuery } from '@tanstack/react-query';
import { fetchJson } from './fetch-json';
import type { TemplateDetail, TemplateList, TemplateVersionDetail } from './types';

export const templateKeys = {
  all: ['templates'] as const,
  list: () => ['templates', 'list'] as const,
  detail: (namespace: string, name: string) => ['templates', 'detail', namespace, name] as const,
  version: (namespace: string, name: string, version: string) => ['templates', 'detail', namespace, name, version] as const,
};

const templatePath = (namespace: string, name: string) => `/api/v1/templates/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

const templateListOptions = () =>
  queryOptions({
    queryKey: templateKeys.list(),
    queryFn: ({ signal }) => fetchJson<TemplateList>('/api/v1/templates', { signal }).then((body) => body.items),
    staleTime: 30_000,
  });

export const useTemplateList = () => useQuery(templateListOptions());

const templateDetailOptions = (namespace: string, name: string) =>
  queryOptions({
    queryKey: templateKeys.detail(namespace, name),
    queryFn: ({ signal }) => fetchJson<TemplateDetail>(templatePath(namespace, name), { signal }),
    enabled: Boolean(namespace && name),
    staleTime: 30_000,
  });

export const useTemplateDetail = (namespace: string, name: string) => useQuery(templateDetailOptions(namespace, name));

export const templateVersionOptions = (namespace: string, name: string, version: string | undefined) =>
  queryOptions({
    queryKey: templateKeys.version(namespace, name, version ?? ''),
    queryFn: ({ signal }) => fetchJson<TemplateVersionDetail>(`${templatePath(namespace, name)}/${encodeURIComponent(version ?? '')}`, { signal }),
    enabled: Boolean(version),
  });

export const useTemplateVersion = (namespace: string, name: string, version: string | undefined) =>
  useQuery(templateVersionOptions(namespace, name, version));
