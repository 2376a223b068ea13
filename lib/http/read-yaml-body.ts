import { readBodyText } from './read-body-text';

const YAML_MEDIA_TYPES = new Set(['application/yaml', 'text/yaml', 'application/x-yaml', 'text/x-yaml']);

/**
 * Reads a template's YAML: 415 unless application/yaml (text/yaml and application/x-yaml are accepted
 * too), 413 over 1 MiB, 400 when empty or not UTF-8. Parsing and validation are validateTemplate's.
 */
export async function readYamlBody(request: Request): Promise<string> {
  const text = await readBodyText(request, { expected: 'application/yaml', accepts: (mediaType) => YAML_MEDIA_TYPES.has(mediaType) });
  return text ?? '';
}
