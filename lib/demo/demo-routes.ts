import { randomUUID } from 'node:crypto';
import type { KnownServiceName } from '../services/service-registry';
import { checkFields, type FieldProblem, type FieldSpec } from './check-fields';

/** The business endpoints of the four demo services: what the registration story's services do. */
export type DemoReply = { status: number; body: unknown; headers?: Record<string, string> };
export type DemoRecord = Record<string, unknown> & { id: string };
export type DemoRequest = { method: string; path: string; query: URLSearchParams; body: unknown };

type RouteMatch = DemoRequest & { params: string[] };
type DemoRoute = { method: string; pattern: RegExp; handle: (request: RouteMatch, records: Map<string, DemoRecord>) => DemoReply };

const PLANS = ['free', 'pro', 'enterprise'] as const;
type Plan = (typeof PLANS)[number];

const PLAN_PRICES_CENTS: Record<Plan, number> = { free: 0, pro: 2900, enterprise: 49900 };
const WELCOME_EMAILS: Record<Plan, string[]> = {
  free: ['welcome', 'getting_started', 'first_project_tips'],
  pro: ['welcome', 'getting_started', 'first_project_tips', 'pro_features', 'integrations'],
  enterprise: ['welcome', 'getting_started', 'first_project_tips', 'pro_features', 'integrations', 'security_and_sso', 'admin_onboarding'],
};
const SEND_AFTER_DAYS = [0, 1, 3, 7, 14, 21, 30];
const DEFAULT_PREFERENCES = { email_notifications: true, marketing_emails: false, product_updates: true };

export function errorReply(status: number, code: string, message: string, details: FieldProblem[] = []): DemoReply {
  return { status, body: { error: { code, message, details } } };
}

function validationReply(problems: FieldProblem[]): DemoReply {
  return errorReply(422, 'validation_failed', 'The request body is invalid', problems);
}

/** A duplicate of the record's natural key: 409, with the existing record so a caller can adopt it. */
function alreadyExistsReply(message: string, existing: DemoRecord): DemoReply {
  return { status: 409, body: { error: { code: 'already_exists', message, details: [] }, existing } };
}

function findRecord(records: Map<string, DemoRecord>, predicate: (record: DemoRecord) => boolean): DemoRecord | undefined {
  for (const record of records.values()) {
    if (predicate(record)) {
      return record;
    }
  }
  return undefined;
}

function createRecord(records: Map<string, DemoRecord>, prefix: string, fields: Record<string, unknown>): DemoRecord {
  const now = new Date().toISOString();
  // The service's own fields come last, so a caller's extra keys can never replace the id or timestamps.
  const record: DemoRecord = { ...fields, id: `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`, created_at: now, updated_at: now };
  records.set(record.id, record);
  return record;
}

/** DELETE of a record: 204 whether it was there or not (a repeat changes nothing), so a compensation can be retried safely. */
function deleteRecordReply(records: Map<string, DemoRecord>, id: string | undefined): DemoReply {
  if (id !== undefined) {
    records.delete(id);
  }
  return { status: 204, body: undefined };
}

function getRecordReply(records: Map<string, DemoRecord>, kind: string, id: string | undefined): DemoReply {
  const record = id === undefined ? undefined : records.get(id);
  return record ? { status: 200, body: record } : errorReply(404, 'not_found', `No ${kind} ${id}`);
}

const userFields: Record<string, FieldSpec> = {
  email: { type: 'string', required: true, format: 'email' },
  name: { type: 'string', required: true },
  plan: { type: 'string', enum: PLANS, default: 'free' },
  source: { type: 'string', default: 'web' },
};
const userUpdateFields: Record<string, FieldSpec> = {
  status: { type: 'string', required: true, enum: ['pending', 'active', 'suspended'] },
  registration_summary: { type: 'object' },
};
const addressFields: Record<string, FieldSpec> = {
  street: { type: 'string' },
  city: { type: 'string' },
  postal_code: { type: 'string' },
  country: { type: 'string' },
};
const billingProfileFields: Record<string, FieldSpec> = {
  user_id: { type: 'string', required: true },
  plan: { type: 'string', required: true, enum: PLANS },
  payment_method: { type: 'string' },
  billing_address: { type: 'object', fields: addressFields },
};
const preferenceFields: Record<string, FieldSpec> = {
  user_id: { type: 'string', required: true },
  email_notifications: { type: 'boolean', default: DEFAULT_PREFERENCES.email_notifications },
  marketing_emails: { type: 'boolean', default: DEFAULT_PREFERENCES.marketing_emails },
  product_updates: { type: 'boolean', default: DEFAULT_PREFERENCES.product_updates },
};
const welcomeSequenceFields: Record<string, FieldSpec> = {
  user_id: { type: 'string', required: true },
  email: { type: 'string', required: true, format: 'email' },
  plan: { type: 'string', required: true, enum: PLANS },
  name: { type: 'string' },
  emails: { type: 'string_array', minItems: 1 },
  account_manager_intro: { type: 'boolean' },
};

const userRoutes: DemoRoute[] = [
  {
    method: 'POST',
    pattern: /^\/users$/,
    handle({ body }, users) {
      const { value, problems } = checkFields(body, userFields);
      if (problems.length > 0) {
        return validationReply(problems);
      }
      const email = String(value.email).toLowerCase();
      const existing = findRecord(users, (user) => user.email === email);
      if (existing) {
        return alreadyExistsReply(`A user with email ${email} already exists`, existing);
      }
      const user = createRecord(users, 'usr', {
        email,
        name: value.name,
        plan: value.plan,
        source: value.source,
        status: 'pending',
      });
      return { status: 201, body: user };
    },
  },
  { method: 'GET', pattern: /^\/users\/([^/]+)$/, handle: ({ params }, users) => getRecordReply(users, 'user', params[0]) },
  { method: 'DELETE', pattern: /^\/users\/([^/]+)$/, handle: ({ params }, users) => deleteRecordReply(users, params[0]) },
  {
    method: 'PATCH',
    pattern: /^\/users\/([^/]+)$/,
    handle({ params, body }, users) {
      const user = params[0] === undefined ? undefined : users.get(params[0]);
      if (!user) {
        return errorReply(404, 'not_found', `No user ${params[0]}`);
      }
      const { value, problems } = checkFields(body, userUpdateFields, { rejectUnknown: true });
      if (problems.length > 0) {
        return validationReply(problems);
      }
      Object.assign(user, value, { updated_at: new Date().toISOString() });
      return { status: 200, body: user };
    },
  },
];

const billingRoutes: DemoRoute[] = [
  {
    method: 'POST',
    pattern: /^\/profiles$/,
    handle({ body }, profiles) {
      const { value, problems } = checkFields(body, billingProfileFields);
      const plan = value.plan as Plan | undefined;
      const paymentMethod = value.payment_method as string | undefined;
      if (plan && plan !== 'free' && (paymentMethod === undefined || paymentMethod === 'none')) {
        problems.push({ path: '/payment_method', message: `is required for the ${plan} plan` });
      }
      if (problems.length > 0 || !plan) {
        return validationReply(problems);
      }
      const existing = findRecord(profiles, (profile) => profile.user_id === value.user_id);
      if (existing) {
        return alreadyExistsReply(`User ${String(value.user_id)} already has a billing profile`, existing);
      }
      const profile = createRecord(profiles, 'bill', {
        user_id: value.user_id,
        plan,
        payment_method: plan === 'free' ? 'none' : paymentMethod,
        billing_address: value.billing_address ?? null,
        monthly_price_cents: PLAN_PRICES_CENTS[plan],
        currency: 'USD',
        status: 'active',
      });
      return { status: 201, body: profile };
    },
  },
  {
    method: 'GET',
    pattern: /^\/profiles\/([^/]+)$/,
    handle: ({ params }, profiles) => getRecordReply(profiles, 'billing profile', params[0]),
  },
  { method: 'DELETE', pattern: /^\/profiles\/([^/]+)$/, handle: ({ params }, profiles) => deleteRecordReply(profiles, params[0]) },
  {
    method: 'GET',
    pattern: /^\/plans\/([^/]+)$/,
    handle({ params }) {
      const plan = PLANS.find((name) => name === params[0]);
      if (!plan) {
        return errorReply(404, 'not_found', `No plan ${params[0]}; plans are ${PLANS.join(', ')}`);
      }
      return {
        status: 200,
        body: {
          plan,
          monthly_price_cents: PLAN_PRICES_CENTS[plan],
          currency: 'USD',
          requires_payment_method: plan !== 'free',
          welcome_emails: WELCOME_EMAILS[plan].length,
        },
      };
    },
  },
];

const preferenceRoutes: DemoRoute[] = [
  {
    method: 'POST',
    pattern: /^\/preferences$/,
    handle({ body }, preferenceSets) {
      const { value, problems } = checkFields(body, preferenceFields);
      if (problems.length > 0) {
        return validationReply(problems);
      }
      const existing = findRecord(preferenceSets, (preferences) => preferences.user_id === value.user_id);
      if (existing) {
        return alreadyExistsReply(`User ${String(value.user_id)} already has preferences`, existing);
      }
      return { status: 201, body: createRecord(preferenceSets, 'pref', value) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/preferences\/([^/]+)$/,
    handle: ({ params }, preferenceSets) => getRecordReply(preferenceSets, 'preference set', params[0]),
  },
  { method: 'DELETE', pattern: /^\/preferences\/([^/]+)$/, handle: ({ params }, preferenceSets) => deleteRecordReply(preferenceSets, params[0]) },
  {
    method: 'GET',
    pattern: /^\/defaults$/,
    handle({ query }) {
      const plan = PLANS.find((name) => name === (query.get('plan') ?? 'free'));
      if (!plan) {
        return validationReply([{ path: '/plan', message: `must be one of ${PLANS.join(', ')}` }]);
      }
      // Paying customers hear about new features by default; nobody gets marketing mail unasked.
      return { status: 200, body: { plan, ...DEFAULT_PREFERENCES, product_updates: plan !== 'free' } };
    },
  },
];

const notificationRoutes: DemoRoute[] = [
  {
    method: 'POST',
    pattern: /^\/welcome-sequences$/,
    handle({ body }, sequences) {
      const { value, problems } = checkFields(body, welcomeSequenceFields);
      if (problems.length > 0) {
        return validationReply(problems);
      }
      // Every new request (a new Idempotency-Key) schedules a sequence: a re-run of the welcome step re-sends it.
      // A repeat with the same key is answered by the replay above and schedules nothing.
      const plan = value.plan as Plan;
      const templates = (value.emails as string[] | undefined) ?? WELCOME_EMAILS[plan];
      const emails = templates.map((template, index) => ({
        template,
        send_after_days: SEND_AFTER_DAYS[Math.min(index, SEND_AFTER_DAYS.length - 1)] ?? 0,
      }));
      const sequence = createRecord(sequences, 'seq', {
        user_id: value.user_id,
        email: value.email,
        name: value.name ?? null,
        plan,
        emails,
        emails_scheduled: emails.length,
        account_manager_intro: value.account_manager_intro ?? plan === 'enterprise',
        status: 'scheduled',
      });
      return { status: 201, body: sequence };
    },
  },
  {
    method: 'GET',
    pattern: /^\/welcome-sequences\/([^/]+)$/,
    handle: ({ params }, sequences) => getRecordReply(sequences, 'welcome sequence', params[0]),
  },
  { method: 'DELETE', pattern: /^\/welcome-sequences\/([^/]+)$/, handle: ({ params }, sequences) => deleteRecordReply(sequences, params[0]) },
];

const demoRoutes: Record<KnownServiceName, DemoRoute[]> = {
  user: userRoutes,
  billing: billingRoutes,
  preferences: preferenceRoutes,
  notification: notificationRoutes,
};

/** Answers one request to `service` (its path without the service prefix); records change only on success. */
export function routeDemoRequest(service: KnownServiceName, request: DemoRequest, records: Map<string, DemoRecord>): DemoReply {
  const routes = demoRoutes[service];
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(request.path);
    if (!match) {
      continue;
    }
    pathMatched = true;
    if (route.method === request.method) {
      const params = match.slice(1).map((param) => decodePathParam(param ?? ''));
      if (params.some((param) => param === undefined)) {
        return errorReply(400, 'malformed', `The path /${service}${request.path} is not valid percent-encoding`);
      }
      return route.handle({ ...request, params: params as string[] }, records);
    }
  }
  if (pathMatched) {
    return errorReply(405, 'method_not_allowed', `${request.method} is not allowed on /${service}${request.path}`);
  }
  return errorReply(404, 'not_found', `No route ${request.method} /${service}${request.path}`);
}

function decodePathParam(param: string): string | undefined {
  try {
    return decodeURIComponent(param);
  } catch {
    return undefined;
  }
}
