/**
 * ARM errors as aks-guard carries them, whatever shape the SDK or a poll produced them in: ARM's own
 * come wrapped (`{ "error": { "code", "message", ... } }`), AKS's resource provider sends most of
 * its own flat (`{ "code", "details": [...] | null, "message", "subcode" }`).
 */
export interface ArmError {
  code: string;
  message: string;
  target?: string;
  details?: ArmError[];
  /** AKS's subcode, when it sent a non-empty one (e.g. UpgradeBlockedOnDeprecatedAPIUsage). */
  subcode?: string;
}

/** A failed request to ARM: HTTP status, the ARM error, and how long the service asked to wait. */
export class AksError extends Error {
  readonly statusCode: number | undefined;
  readonly code: string;
  readonly armError: ArmError;
  readonly retryAfterSeconds: number | undefined;
  /** A failure that is expected to pass (e.g. a sign-in that met a 5xx on the way). */
  readonly transient: boolean;

  constructor(
    armError: ArmError,
    statusCode?: number,
    retryAfterSeconds?: number,
    transient = false,
  ) {
    super(`${armError.code}: ${armError.message}`);
    this.name = 'AksError';
    this.armError = armError;
    this.code = armError.code;
    this.statusCode = statusCode;
    this.retryAfterSeconds = retryAfterSeconds;
    this.transient = transient;
  }

  /**
   * AKS's 409 for a write that meets another operation, in any of its wordings and shapes:
   * OperationNotAllowed "Another operation (Upgrading) is in progress", "Another operation
   * (nodepool1 - Updating) …", "there's an in progress … operation (operation ID: …)", and
   * EtagMismatch "Operation is not allowed: Another operation is in progress".
   */
  get isOperationInProgress(): boolean {
    if (this.statusCode !== 409) return false;
    const message = this.armError.message;
    if (/terminal state|nothing to abort|no operation in progress/i.test(message)) return false;
    return (
      /another (agentpool )?operation|in progress/i.test(message) ||
      // A write that raced another writer's operation: re-read and decide again, as for the above.
      /^EtagMismatch$/i.test(this.code)
    );
  }
}

function asArmError(v: unknown): ArmError | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.code !== 'string' || o.code === '') return undefined;
  // `details` is an array, or null in AKS's flat answers.
  const details = Array.isArray(o.details)
    ? o.details.map(asArmError).filter((d): d is ArmError => d !== undefined)
    : undefined;
  return {
    code: o.code,
    message: typeof o.message === 'string' ? o.message : '',
    ...(typeof o.target === 'string' ? { target: o.target } : {}),
    ...(details && details.length > 0 ? { details } : {}),
    ...(typeof o.subcode === 'string' && o.subcode !== '' ? { subcode: o.subcode } : {}),
  };
}

/**
 * Reads an error body in either shape: wrapped, `{ "error": {...} }` (ARM's own errors, the `error`
 * of an operation status), or flat, `{ "code", "details", "message", "subcode" }` (AKS's own).
 * A body whose `error` holds no code (the SDK's `{ error: undefined }` for a flat answer) is read flat.
 */
export function armErrorFromBody(body: unknown): ArmError | undefined {
  if (body && typeof body === 'object' && 'error' in body) {
    const wrapped = asArmError(body.error);
    if (wrapped) return wrapped;
  }
  return asArmError(body);
}

/** The JSON of a response's text, when it has any. */
function parsedText(response: unknown): unknown {
  const text = (response as { bodyAsText?: unknown } | undefined)?.bodyAsText;
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function header(response: unknown, name: string): string | undefined {
  const headers = (
    response as { headers?: { get?: (n: string) => string | undefined } } | undefined
  )?.headers;
  return typeof headers?.get === 'function' ? (headers.get(name) ?? undefined) : undefined;
}

/**
 * How long the service asked to wait, in seconds, from whichever header it used: `retry-after-ms`
 * and `x-ms-retry-after-ms` (milliseconds), or `Retry-After` (seconds, or an HTTP-date). The one
 * place aks-guard reads these headers.
 */
export function retryAfterSeconds(
  get: (name: string) => string | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(get(name));
    if (get(name) !== undefined && Number.isFinite(ms) && ms >= 0) return ms / 1000;
  }
  const v = get('retry-after')?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

/**
 * Normalises whatever the SDK threw into an AksError (network failures keep their message).
 * `responseBody` is the failed answer's parsed body where the caller saw it (the SDK's
 * `onResponse`): the modular SDK keeps only the code and message of a flat AKS error, so its
 * `details` and `subcode` come from there. Then the response's text (core-client keeps it), then
 * the SDK's deserialised `details`, then the error's own code and message.
 */
export function toAksError(err: unknown, responseBody?: unknown): AksError {
  if (err instanceof AksError) return err;
  const signIn = signInError(err);
  if (signIn) return signIn;
  const e = (err ?? {}) as {
    statusCode?: number;
    code?: string;
    message?: string;
    details?: unknown;
    response?: unknown;
  };
  const fromBody =
    armErrorFromBody(responseBody) ??
    armErrorFromBody(parsedText(e.response)) ??
    armErrorFromBody(e.details);
  const lro = /^The long-running operation has failed\. ([^.\s]+)\. (.*)$/s.exec(e.message ?? '');
  const armError: ArmError =
    fromBody ??
    (lro
      ? { code: lro[1]!, message: lro[2]! }
      : {
          code: e.code ?? (e.statusCode ? `HTTP${e.statusCode}` : 'RequestFailed'),
          message: e.message ?? String(err),
        });
  const retry = retryAfterSeconds((name) => header(e.response, name));
  return new AksError(armError, e.statusCode, retry !== undefined && retry > 0 ? retry : undefined);
}

/** What the SDK's `onResponse` hands over: the status, headers and parsed body of each answer. */
export type SdkResponse = { status: string | number; headers: unknown; parsedBody?: unknown };
export type OnResponse = (r: SdkResponse) => void;

/**
 * Keeps the parsed body of a failed answer, which the SDK does not keep whole for AKS's flat
 * errors (only their code and message reach its RestError): `details` and `subcode` are read here.
 */
export function errorBodyRecorder(): { onResponse: OnResponse; readonly body: unknown } {
  let body: unknown;
  return {
    onResponse: (r) => {
      body = Number(r.status) >= 400 ? r.parsedBody : undefined;
    },
    get body() {
      return body;
    },
  };
}

/** The errors @azure/identity throws when a credential cannot get a token. */
const SIGN_IN_ERRORS = [
  'AuthenticationError',
  'AggregateAuthenticationError',
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
];

/** Text that serialises a whole HTTP exchange (an SDK dumping its response, request included). */
const SERIALISED_EXCHANGE = /^\s*[{[]|"(request|headers|bodyAsText)"\s*:/;

/**
 * A failed sign-in is not an ARM answer: say so, with Entra's own code (AADSTS…) when it gave one.
 * Never the SDK's whole error: AzurePipelinesCredential puts the complete OIDC response, with the
 * request's `Authorization: Bearer <System.AccessToken>` header, into its description.
 */
function signInError(err: unknown): AksError | undefined {
  if (!(err instanceof Error) || !SIGN_IN_ERRORS.includes(err.name)) return undefined;
  const e = err as {
    errorResponse?: { error?: string; errorDescription?: string };
    statusCode?: number;
  };
  const description = e.errorResponse?.errorDescription;
  const usable = description && !SERIALISED_EXCHANGE.test(description) ? description : undefined;
  const text = usable ?? e.errorResponse?.error ?? err.message;
  // MSAL wraps Entra's sentence ("AADSTS7000215: Invalid client secret provided. …") in its own.
  const entra = /AADSTS\d+:[^\r\n]*/.exec(text)?.[0];
  let first = (entra ?? text.split(/\r?\n/)[0]!.trim()).replace(/\s*Status code: \d+$/, '');
  if (SERIALISED_EXCHANGE.test(first)) first = 'the token request failed';
  const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : undefined;
  if (!entra && status !== undefined && !first.includes(String(status)))
    first = `${first.replace(/\.$/, '')} (HTTP ${status}).`;
  const code = /AADSTS\d+/.exec(text)?.[0] ?? 'AuthenticationFailed';
  // An OIDC endpoint or Entra that answered 5xx/429, or a connection that broke, may answer next time.
  const transient =
    !entra &&
    ((status !== undefined && (status >= 500 || status === 429)) ||
      /Error Code\s*:\s*(5\d\d|429)\b|ECONNRESET|ETIMEDOUT|ECONNREFUSED|socket hang up/i.test(
        err.message,
      ));
  return new AksError(
    { code, message: `Signing in to Azure failed: ${first}` },
    undefined,
    undefined,
    transient,
  );
}
