import type { AttemptDetails } from '../../db/queries/steps';
import type { ServiceCallRecord, StepLogger } from '../handlers/define-step-handler';
import { createSecretMatcher, REDACTED, redactJson, redactPath, type SecretMatcher } from '../redact-secrets';
import { cutText, toStorableJson } from '../storable-text';

/** The most characters of a request or response body an attempt keeps, as JSON text; a longer body is cut and marked. */
export const MAX_ATTEMPT_BODY_CHARACTERS = 8192;
/** The most log lines an attempt keeps; later lines are counted in one last line. */
export const MAX_ATTEMPT_LOG_LINES = 50;
/** The most characters of a log line's message, and of its fields as JSON text. */
const MAX_LOG_MESSAGE_CHARACTERS = 1000;
const MAX_LOG_FIELDS_CHARACTERS = 2000;
const MAX_HEADERS = 50;
const MAX_HEADER_VALUE_CHARACTERS = 1000;

type LogLevel = 'info' | 'warn' | 'error';
type RecordedLogLine = { at: string; level: LogLevel; message: string; fields: unknown };

/**
 * What one attempt sent, got back and logged, kept in memory while it runs and turned into storable
 * JSON (secrets redacted, bodies cut) once, when it ends: the outcome's statement writes it with the
 * attempt. Only the last service call is kept in full; the others are counted.
 */
export class AttemptRecorder {
  private lastCall: ServiceCallRecord | undefined;
  private serviceCalls = 0;
  private readonly lines: RecordedLogLine[] = [];
  private droppedLines = 0;

  constructor(private readonly matcher: SecretMatcher = createSecretMatcher()) {}

  /** Calls sent and not yet counted by recordCall, by callId. */
  private readonly sentCallIds = new Set<number>();

  /** A call as it is sent: an attempt that times out before the answer still shows what it sent. */
  recordSend(record: ServiceCallRecord): void {
    this.serviceCalls += 1;
    this.lastCall = record;
    if (record.callId !== undefined) {
      this.sentCallIds.add(record.callId);
    }
  }

  /** A call answered, or failed without an answer; counted here unless recordSend counted it. */
  recordCall(record: ServiceCallRecord): void {
    if (record.callId === undefined || !this.sentCallIds.delete(record.callId)) {
      this.serviceCalls += 1;
    }
    this.lastCall = record;
  }

  /** A logger for the handler: each line goes to `log` as before and is kept (redacted, cut) for the attempt. */
  wrapLogger(log: StepLogger): StepLogger {
    const keep = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
      log[level](message, fields);
      this.keepLine(level, message, fields);
    };
    return { info: keep('info'), warn: keep('warn'), error: keep('error') };
  }

  private keepLine(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
    if (this.lines.length >= MAX_ATTEMPT_LOG_LINES) {
      this.droppedLines += 1;
      return;
    }
    this.lines.push({
      at: new Date().toISOString(),
      level,
      message: cutText(this.matcher.redactText(String(message).slice(0, MAX_LOG_MESSAGE_CHARACTERS * 2)), MAX_LOG_MESSAGE_CHARACTERS),
      fields: fields === undefined ? null : cutJson(redactJson(toPlainJson(fields), this.matcher), MAX_LOG_FIELDS_CHARACTERS).value,
    });
  }

  /** The attempt's request, response and log lines, ready to store; only the count when they cannot be read as JSON. */
  toDetails(): AttemptDetails {
    try {
      return this.readDetails();
    } catch {
      return { request: null, response: null, serviceCalls: this.serviceCalls, logs: null };
    }
  }

  private readDetails(): AttemptDetails {
    const call = this.lastCall;
    const logs =
      this.droppedLines === 0
        ? this.lines
        : [
            ...this.lines,
            {
              at: new Date().toISOString(),
              level: 'warn' as const,
              message: `${this.droppedLines} more log line${this.droppedLines === 1 ? ' was' : 's were'} not kept (at most ${MAX_ATTEMPT_LOG_LINES} per attempt)`,
              fields: null,
            },
          ];
    return {
      request: call === undefined ? null : this.toRequest(call),
      response: call?.response === undefined || call.status === undefined ? null : this.toResponse(call.status, call.response),
      serviceCalls: this.serviceCalls,
      logs: logs.length === 0 ? null : logs,
    };
  }

  private toRequest(call: ServiceCallRecord) {
    const body = this.toBody(call.requestBody);
    return toStorableJson({
      service: call.service,
      method: call.method,
      path: cutText(redactPath(call.path, this.matcher), 2000),
      headers: this.toHeaders(Object.entries(call.requestHeaders ?? {})),
      body: body.value,
      body_cut: body.cut,
    });
  }

  private toResponse(status: number, response: NonNullable<ServiceCallRecord['response']>) {
    const body = this.toBody(response.body);
    return toStorableJson({ status, headers: this.toHeaders([...response.headers.entries()]), body: body.value, body_cut: body.cut });
  }

  private toBody(body: unknown): { value: unknown; cut: boolean } {
    if (body === undefined) {
      return { value: null, cut: false };
    }
    // Text that is not JSON: cut first (what is cut away is never stored), then redacted.
    if (typeof body === 'string') {
      return { value: this.matcher.redactText(cutText(body, MAX_ATTEMPT_BODY_CHARACTERS)), cut: body.length > MAX_ATTEMPT_BODY_CHARACTERS };
    }
    return cutJson(redactJson(body, this.matcher), MAX_ATTEMPT_BODY_CHARACTERS);
  }

  private toHeaders(entries: [string, string][]): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of entries.slice(0, MAX_HEADERS)) {
      headers[name.toLowerCase()] = this.matcher.isSecretName(name) ? REDACTED : cutText(value, MAX_HEADER_VALUE_CHARACTERS);
    }
    return headers;
  }
}

/** The value itself when its JSON text fits in `maxCharacters`; else that text, cut and marked. */
function cutJson(value: unknown, maxCharacters: number): { value: unknown; cut: boolean } {
  const text = JSON.stringify(value);
  if (text === undefined) {
    return { value: null, cut: false };
  }
  return text.length <= maxCharacters ? { value, cut: false } : { value: cutText(text, maxCharacters), cut: true };
}

/** Log fields as JSON: an Error becomes its name and message, what JSON cannot hold (a cycle, a bigint) its description. */
function toPlainJson(fields: Record<string, unknown>): unknown {
  try {
    return JSON.parse(
      JSON.stringify(fields, (_key, value: unknown) => {
        if (value instanceof Error) {
          return { error: value.name, message: value.message };
        }
        return typeof value === 'bigint' ? value.toString() : value;
      }),
    ) as unknown;
  } catch (error) {
    return { unreadable_fields: error instanceof Error ? error.message : String(error) };
  }
}
