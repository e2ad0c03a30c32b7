/**
 * Read failures that pass: throttling (429), server errors, dropped connections, a sign-in that
 * failed on the way (the OIDC endpoint or Entra answering 5xx). The SDK's own retry policy gives
 * up after a few quick attempts (and never retries a 429 without Retry-After); a run that waits for
 * an hour must not end on a blip, so reads are retried with back-off within a budget. Only the
 * budget ends a wait.
 */
import type { AksApi } from './aks/api.ts';
import { AksError } from './arm-error.ts';
import type { Clockwork } from './lro/wait.ts';

/** Network failures that say nothing about the request itself. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'REQUEST_SEND_ERROR',
  'PARSE_ERROR',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function isTransient(err: unknown): boolean {
  if (!(err instanceof AksError)) return false;
  if (err.transient) return true;
  const s = err.statusCode;
  if (s === 408 || s === 429) return true;
  if (s !== undefined) return s >= 500 && s !== 501 && s !== 505;
  return NETWORK_CODES.has(err.code);
}

/** Back-off before attempt n+1 (n from 1): 1 s, 2 s, 4 s … up to 30 s, or what the service asked. */
export function backoffMs(attempt: number, err: unknown): number {
  const asked = err instanceof AksError ? err.retryAfterSeconds : undefined;
  const exponential = Math.min(30_000, 1000 * 2 ** (attempt - 1));
  return asked !== undefined ? Math.max(asked * 1000, 1000) : exponential;
}

export interface RetryOptions {
  clock: Clockwork;
  /** Gives up once the next attempt would start after this time (ms since epoch). */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Told of each failure that will be retried. */
  onRetry?: (err: AksError, delayMs: number, attempt: number) => void;
}

/** Calls `fn` until it succeeds, fails for good, or the budget is spent (then the last error). */
export async function retryTransient<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || o.signal?.aborted) throw err;
      const delay = backoffMs(attempt, err);
      if (o.clock.now() + delay > o.deadlineMs) throw err;
      o.onRetry?.(err as AksError, delay, attempt);
      await o.clock.sleep(delay, o.signal);
      if (o.signal?.aborted) throw err;
    }
  }
}

/** The client's reads: idempotent, so retrying them is always safe (writes never are retried here). */
const READS = [
  'getCluster',
  'getPool',
  'upgradeProfile',
  'latestNodeImage',
  'operation',
  'asyncStatus',
  'commandResult',
] as const;

/**
 * The same client, with every read retried through `retryTransient` (options taken afresh for
 * each call, so the budget starts when the read does). Writes pass through untouched.
 */
export function withRetriedReads(client: AksApi, options: () => RetryOptions): AksApi {
  // A prototype-linked copy: writes (and anything else) stay the client's own methods.
  const wrapped = Object.create(client) as AksApi;
  for (const name of READS) {
    const read = client[name].bind(client) as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(wrapped, name, {
      value: (...args: unknown[]) => retryTransient(() => read(...args), options()),
    });
  }
  return wrapped;
}
