/** ARM errors as aks-guard carries them, whatever shape the SDK or a poll produced them in. */
export interface ArmError {
  code: string;
  message: string;
  target?: string;
  details?: ArmError[];
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

  /** AKS's 409 for a write that meets another operation. */
  get isOperationInProgress(): boolean {
    return (
      this.statusCode === 409 &&
      /another (agentpool )?operation|in progress/i.test(this.armError.message) &&
      !/terminal state|nothing to abort|no operation in progress/i.test(this.armError.message)
    );
  }
}

function asArmError(v: unknown): ArmError | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.code !== 'string') return undefined;
  const details = Array.isArray(o.details)
    ? o.details.map(asArmError).filter((d): d is ArmError => d !== undefined)
    : undefined;
  return {
    code: o.code,
    message: typeof o.message === 'string' ? o.message : '',
    ...(typeof o.target === 'string' ? { target: o.target } : {}),
    ...(details && details.length > 0 ? { details } : {}),
  };
}

/** Reads an `{ "error": {...} }` body (or a bare error object). */
export function armErrorFromBody(body: unknown): ArmError | undefined {
  if (body && typeof body === 'object' && 'error' in body) return asArmError(body.error);
  return asArmError(body);
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

/** Normalises whatever the SDK threw into an AksError (network failures keep their message). */
export function toAksError(err: unknown): AksError {
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
  const fromBody = armErrorFromBody(e.details);
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
