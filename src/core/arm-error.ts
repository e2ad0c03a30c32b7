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

  constructor(armError: ArmError, statusCode?: number, retryAfterSeconds?: number) {
    super(`${armError.code}: ${armError.message}`);
    this.name = 'AksError';
    this.armError = armError;
    this.code = armError.code;
    this.statusCode = statusCode;
    this.retryAfterSeconds = retryAfterSeconds;
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
  const retry = Number(header(e.response, 'retry-after'));
  return new AksError(
    armError,
    e.statusCode,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

/** The errors @azure/identity throws when a credential cannot get a token. */
const SIGN_IN_ERRORS = [
  'AuthenticationError',
  'AggregateAuthenticationError',
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
];

/** A failed sign-in is not an ARM answer: say so, with Entra's own code (AADSTS…) when it gave one. */
function signInError(err: unknown): AksError | undefined {
  if (!(err instanceof Error) || !SIGN_IN_ERRORS.includes(err.name)) return undefined;
  const response = (err as { errorResponse?: { errorDescription?: string } }).errorResponse;
  const text = response?.errorDescription ?? err.message;
  // MSAL wraps Entra's sentence ("AADSTS7000215: Invalid client secret provided. …") in its own.
  const entra = /AADSTS\d+:[^\r\n]*/.exec(text)?.[0];
  const first = entra ?? text.split(/\r?\n/)[0]!.trim();
  const code = /AADSTS\d+/.exec(text)?.[0] ?? 'AuthenticationFailed';
  return new AksError({ code, message: `Signing in to Azure failed: ${first}` });
}
