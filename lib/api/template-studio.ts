import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from './api-error';
import { fetchJson } from './fetch-json';
import { templateKeys } from './templates';
import type { ApiErrorBody, SavedTemplateVersion, TemplateUsageList, TemplateValidationResult } from './types';

const templateStudioKeys = {
  usage: () => [...templateKeys.all, 'usage'] as const,
  // Outside templateKeys.all: saving a template must not re-check the text being edited.
  validation: (yaml: string) => ['template-validation', yaml] as const,
};

const templateUsageOptions = () =>
  queryOptions({
    queryKey: templateStudioKeys.usage(),
    queryFn: ({ signal }) => fetchJson<TemplateUsageList>('/api/v1/templates/usage', { signal }).then((body) => body.items),
    staleTime: 15_000,
  });

export const useTemplateUsage = () => useQuery(templateUsageOptions());

/** Sends a template's YAML as the body (`application/yaml`); a refusal throws an ApiError like fetchJson. */
async function postYaml<T>(url: string, yaml: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/yaml' },
      body: yaml,
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, 'network', `Could not reach the server: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const body = parsed as Partial<ApiErrorBody> | undefined;
    if (body?.error && typeof body.error.message === 'string') {
      throw new ApiError(response.status, body.error.code, body.error.message, body.error.details ?? []);
    }
    throw new ApiError(response.status, `http_${response.status}`, `The server answered ${response.status} ${response.statusText}`.trim());
  }
  return parsed as T;
}

/**
 * The server's validator on the given YAML (POST /templates/validate). Keyed by the text itself, so
 * typing back to an earlier text answers from the cache; the previous answer stays shown while the
 * next one is on its way, so the problems and the preview do not flicker.
 */
const templateValidationOptions = (yaml: string) =>
  queryOptions({
    queryKey: templateStudioKeys.validation(yaml),
    queryFn: ({ signal }) => postYaml<TemplateValidationResult>('/api/v1/templates/validate', yaml, signal),
    enabled: yaml.trim() !== '',
    staleTime: Infinity,
    gcTime: 60_000,
    placeholderData: keepPreviousData,
  });

export const useTemplateValidation = (yaml: string) => useQuery(templateValidationOptions(yaml));

/** POST /templates: saves a new immutable version (201), or answers 200 when this content is saved already. */
export function useSaveTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (yaml: string) => postYaml<SavedTemplateVersion>('/api/v1/templates', yaml),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templateKeys.all }),
  });
}
