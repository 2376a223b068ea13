/**
 * Small text edits of a template's YAML that keep the author's layout and comments: reading and
 * replacing the top-level `version`, and the skeleton a new template starts from. Validation stays
 * the server's (POST /templates/validate); nothing here decides whether a template is valid.
 */
const TOP_LEVEL_KEY = (key: string) => new RegExp(`^${key}:[ \\t]*(?:(['"])(.*?)\\1|([^#\\n]*?))[ \\t]*(?:#.*)?$`, 'm');

function readTopLevelScalar(yaml: string, key: string): string | undefined {
  const match = TOP_LEVEL_KEY(key).exec(yaml);
  if (!match) {
    return undefined;
  }
  const value = (match[2] ?? match[3] ?? '').trim();
  return value === '' ? undefined : value;
}

export function readTemplateVersion(yaml: string): string | undefined {
  return readTopLevelScalar(yaml, 'version');
}

export function readTemplateName(yaml: string): string | undefined {
  return readTopLevelScalar(yaml, 'name');
}

/** The namespace the server will use: `namespace_name`, or `default` when it is left out. */
export function readTemplateNamespace(yaml: string): string {
  return readTopLevelScalar(yaml, 'namespace_name') ?? 'default';
}

/** The YAML with its top-level `version` set (added after `name` when it has none). */
export function withTemplateVersion(yaml: string, version: string): string {
  const pattern = /^version:.*$/m;
  if (pattern.test(yaml)) {
    return yaml.replace(pattern, `version: ${version}`);
  }
  const nameLine = /^name:.*$/m.exec(yaml);
  if (nameLine) {
    const end = nameLine.index + nameLine[0].length;
    return `${yaml.slice(0, end)}\nversion: ${version}${yaml.slice(end)}`;
  }
  return `version: ${version}\n${yaml}`;
}

/** What a new template starts from: two steps of the built-in `http` handler and a context schema. */
export const NEW_TEMPLATE_SKELETON = `name: my_template
namespace_name: default
version: 1.0.0
description: What this template does, in one line
schema:
  type: object
  required: [customer]
  properties:
    customer:
      type: object
      required: [email, name]
      properties:
        email: { type: string, format: email }
        name: { type: string, minLength: 1 }
    plan: { type: string, enum: [free, pro], default: free }
step_templates:
  - name: create_user
    description: Create the user account
    handler: http
    handler_config:
      service: user
      method: POST
      path: /users
      body:
        email: "{{ context.customer.email }}"
        name: "{{ context.customer.name }}"
    default_retry_limit: 3
    timeout_seconds: 15
  - name: create_billing_profile
    description: Open a billing profile for the new user
    handler: http
    handler_config:
      service: billing
      method: POST
      path: /profiles
      body:
        user_id: "{{ results.create_user.id }}"
        plan: "{{ context.plan }}"
    depends_on_steps: [create_user]
`;
