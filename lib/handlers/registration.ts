import { isRecord } from '../api/is-record';
import { PermanentError } from '../errors';
import { defineStepHandler, type ServiceResponse, type StepLogger } from './define-step-handler';

/**
 * The registration story's step handlers (templates/user_registration.yaml). Each one is business
 * logic only: the service caller sends the idempotency and correlation headers and classifies
 * failures. A create answered 409 `already_exists` for the same user is adopted as "already done",
 * so a registration that is repeated under a new idempotency key still ends with one record each.
 *
 * Results are read from the named steps first and, where a later step passes them on, from that
 * step, so a handler works whether it is given every earlier result or only its direct dependencies'.
 */
type Plan = 'free' | 'pro' | 'enterprise';
type Fields = Record<string, unknown>;

const PLANS: readonly Plan[] = ['free', 'pro', 'enterprise'];
const DEFAULT_PREFERENCES = { email_notifications: true, marketing_emails: false, product_updates: true };

/** The Ruby module of the step handler classes in Tasker's blog example (post 03), which these handlers answer to. */
const TASKER_BLOG_CLASSES = 'BlogExamples::Post03::StepHandlers';

const servicePattern = '^[a-z0-9_]+$';
type ServiceConfig = { service: string };
const serviceConfigSchema = {
  type: 'object',
  required: ['service'],
  additionalProperties: false,
  properties: { service: { type: 'string', pattern: servicePattern } },
} as const;

function readObject(value: unknown, key: string): Fields | undefined {
  const child = isRecord(value) ? value[key] : undefined;
  return isRecord(child) ? child : undefined;
}

function readText(value: unknown, key: string): string | undefined {
  const child = isRecord(value) ? value[key] : undefined;
  return typeof child === 'string' && child !== '' ? child : undefined;
}

/** The first of `candidates` (`[step name, field]`) present in `results`. */
function readResultText(results: Fields, candidates: [string, string][]): string | undefined {
  for (const [step, field] of candidates) {
    const text = readText(results[step], field);
    if (text !== undefined) {
      return text;
    }
  }
  return undefined;
}

/** A missing input cannot appear on a retry, so the step fails for good. */
function requireValue<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new PermanentError(`Missing ${what}`, { errorCode: 'missing_input' });
  }
  return value;
}

function readPlan(context: Fields, results: Fields): Plan {
  const plan = readText(readObject(context, 'user_info'), 'plan') ?? readText(results.create_user_account, 'plan') ?? 'free';
  if (!PLANS.includes(plan as Plan)) {
    throw new PermanentError(`Unknown plan "${plan}"; plans are ${PLANS.join(', ')}`, { errorCode: 'invalid_input' });
  }
  return plan as Plan;
}

/**
 * The created record, or on 409 `already_exists` the existing one when `isSameRecord` says it is ours.
 * Any other 409, or a success without an `id`, fails for good.
 */
function acceptCreated(
  response: ServiceResponse,
  what: string,
  isSameRecord: (existing: Fields) => boolean,
  log?: StepLogger,
): { record: Fields & { id: string }; alreadyExisted: boolean } {
  if (response.status === 409) {
    const body = isRecord(response.body) ? response.body : {};
    const existing = body.existing;
    const code = readText(body.error, 'code');
    if (code === 'already_exists' && isRecord(existing) && typeof existing.id === 'string' && isSameRecord(existing)) {
      log?.info(`adopted the existing ${what}`, { id: existing.id, status: 409 });
      return { record: { ...existing, id: existing.id }, alreadyExisted: true };
    }
    const message = readText(body.error, 'message') ?? 'conflict';
    throw new PermanentError(`Creating the ${what} answered 409: ${message}`, { errorCode: 'http_409', httpStatus: 409 });
  }
  const record = response.body;
  if (!isRecord(record) || typeof record.id !== 'string') {
    throw new PermanentError(`Creating the ${what} answered ${response.status} without an id`, {
      errorCode: 'unexpected_response',
      httpStatus: response.status,
    });
  }
  log?.info(`created the ${what}`, { id: record.id, status: response.status });
  return { record: { ...record, id: record.id }, alreadyExisted: false };
}

type CreateUserAccountConfig = ServiceConfig & { default_source?: string };
export const createUserAccount = defineStepHandler<CreateUserAccountConfig>({
  name: 'registration.create_user_account',
  aliases: [`${TASKER_BLOG_CLASSES}::CreateUserAccountHandler`],
  description: 'Creates the user in the user service from context.user_info; an existing user with the same email is adopted.',
  configSchema: {
    ...serviceConfigSchema,
    properties: { ...serviceConfigSchema.properties, default_source: { type: 'string' } },
  },
  async handle(config, { context, services, log }) {
    const userInfo = requireValue(readObject(context, 'user_info'), 'context.user_info');
    const email = requireValue(readText(userInfo, 'email'), 'context.user_info.email');
    const response = await services.call(config.service, '/users', {
      method: 'POST',
      body: {
        email,
        name: requireValue(readText(userInfo, 'name'), 'context.user_info.name'),
        plan: readPlan(context, {}),
        source: readText(userInfo, 'source') ?? config.default_source ?? 'web',
      },
    });
    const { record, alreadyExisted } = acceptCreated(
      response,
      'user account',
      (existing) => readText(existing, 'email')?.toLowerCase() === email.toLowerCase(),
      log,
    );
    return {
      id: record.id,
      email: record.email,
      name: record.name,
      plan: record.plan,
      status: record.status,
      already_existed: alreadyExisted,
    };
  },
});

export const setupBillingProfile = defineStepHandler<ServiceConfig>({
  name: 'registration.setup_billing_profile',
  aliases: [`${TASKER_BLOG_CLASSES}::SetupBillingProfileHandler`],
  description: 'Creates the billing profile for the plan; a free plan gets one too, with payment method "none".',
  configSchema: serviceConfigSchema,
  async handle(config, { context, results, services, log }) {
    const userId = requireValue(readResultText(results, [['create_user_account', 'id']]), 'results.create_user_account.id');
    const plan = readPlan(context, results);
    const billingInfo = readObject(context, 'billing_info');
    const response = await services.call(config.service, '/profiles', {
      method: 'POST',
      body: {
        user_id: userId,
        plan,
        // A free account still gets a profile, so upgrading later is an update, not a new setup.
        payment_method: plan === 'free' ? 'none' : readText(billingInfo, 'payment_method'),
        billing_address: readObject(billingInfo, 'billing_address'),
      },
    });
    const { record, alreadyExisted } = acceptCreated(response, 'billing profile', (existing) => existing.user_id === userId, log);
    return {
      id: record.id,
      user_id: userId,
      plan: record.plan,
      payment_method: record.payment_method,
      status: record.status,
      already_existed: alreadyExisted,
    };
  },
});

export const initializePreferences = defineStepHandler<ServiceConfig>({
  name: 'registration.initialize_preferences',
  aliases: [`${TASKER_BLOG_CLASSES}::InitializePreferencesHandler`],
  description: 'Saves context.preferences, filled in with the defaults, in the preferences service.',
  configSchema: serviceConfigSchema,
  async handle(config, { context, results, services, log }) {
    const userId = requireValue(readResultText(results, [['create_user_account', 'id']]), 'results.create_user_account.id');
    const preferences = { ...DEFAULT_PREFERENCES, ...readObject(context, 'preferences') };
    const response = await services.call(config.service, '/preferences', {
      method: 'POST',
      body: { user_id: userId, ...preferences },
    });
    const { record, alreadyExisted } = acceptCreated(response, 'preferences', (existing) => existing.user_id === userId, log);
    return {
      id: record.id,
      user_id: userId,
      email_notifications: record.email_notifications,
      marketing_emails: record.marketing_emails,
      product_updates: record.product_updates,
      already_existed: alreadyExisted,
    };
  },
});

export const sendWelcomeSequence = defineStepHandler<ServiceConfig>({
  name: 'registration.send_welcome_sequence',
  aliases: [`${TASKER_BLOG_CLASSES}::SendWelcomeSequenceHandler`],
  description: 'Schedules the welcome emails for the plan: 3 (free), 5 (pro), 7 and an account manager intro (enterprise).',
  configSchema: serviceConfigSchema,
  async handle(config, { context, results, services, log }) {
    const userInfo = readObject(context, 'user_info');
    const userId = requireValue(
      readResultText(results, [
        ['create_user_account', 'id'],
        ['setup_billing_profile', 'user_id'],
        ['initialize_preferences', 'user_id'],
      ]),
      'results.create_user_account.id',
    );
    const email = requireValue(readText(results.create_user_account, 'email') ?? readText(userInfo, 'email'), 'the user email');
    const plan = readPlan(context, results);
    const response = await services.call(config.service, '/welcome-sequences', {
      method: 'POST',
      body: {
        user_id: userId,
        email,
        name: readText(results.create_user_account, 'name') ?? readText(userInfo, 'name'),
        plan,
        account_manager_intro: plan === 'enterprise',
      },
    });
    const { record, alreadyExisted } = acceptCreated(response, 'welcome sequence', (existing) => existing.user_id === userId, log);
    return {
      id: record.id,
      user_id: userId,
      plan,
      emails_scheduled: record.emails_scheduled,
      account_manager_intro: record.account_manager_intro,
      // Passed on so the final step can summarise the registration from its direct dependency alone.
      billing_profile_id: readText(results.setup_billing_profile, 'id') ?? null,
      preferences_id: readText(results.initialize_preferences, 'id') ?? null,
      already_existed: alreadyExisted,
    };
  },
});

type UpdateUserStatusConfig = ServiceConfig & { status?: 'active' | 'pending' | 'suspended' };
export const updateUserStatus = defineStepHandler<UpdateUserStatusConfig>({
  name: 'registration.update_user_status',
  aliases: [`${TASKER_BLOG_CLASSES}::UpdateUserStatusHandler`],
  description: 'Marks the user active, with a summary of what the registration set up.',
  configSchema: {
    ...serviceConfigSchema,
    properties: {
      ...serviceConfigSchema.properties,
      status: { type: 'string', enum: ['active', 'pending', 'suspended'] },
    },
  },
  async handle(config, { results, services }) {
    const userId = requireValue(
      readResultText(results, [
        ['create_user_account', 'id'],
        ['send_welcome_sequence', 'user_id'],
      ]),
      'results.create_user_account.id',
    );
    const summary = {
      billing_profile_id:
        readResultText(results, [
          ['setup_billing_profile', 'id'],
          ['send_welcome_sequence', 'billing_profile_id'],
        ]) ?? null,
      preferences_id:
        readResultText(results, [
          ['initialize_preferences', 'id'],
          ['send_welcome_sequence', 'preferences_id'],
        ]) ?? null,
      welcome_sequence_id: readResultText(results, [['send_welcome_sequence', 'id']]) ?? null,
      emails_scheduled: readObject(results, 'send_welcome_sequence')?.emails_scheduled ?? null,
    };
    const status = config.status ?? 'active';
    const response = await services.call(config.service, `/users/${encodeURIComponent(userId)}`, {
      method: 'PATCH',
      body: { status, registration_summary: summary },
    });
    if (response.status === 409) {
      throw new PermanentError(`Updating user ${userId} answered 409`, { errorCode: 'http_409', httpStatus: 409 });
    }
    return { user_id: userId, status: readText(response.body, 'status') ?? status, ...summary };
  },
});

export const registrationHandlers = [createUserAccount, setupBillingProfile, initializePreferences, sendWelcomeSequence, updateUserStatus];
