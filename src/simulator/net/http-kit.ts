/** The small request/response vocabulary every simulated service speaks. */
import type { IncomingHttpHeaders } from 'node:http';

export interface SimRequest {
  method: string;
  /** Full URL as the client addressed it (host from the Host header). */
  url: URL;
  /** Lower-case host name without port. */
  host: string;
  /** scheme://host[:port] as the client addressed it; absolute URLs in responses start with it. */
  origin: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON, a string as text; absent means no body. */
  body?: unknown;
}

/** Throw to answer with `response`; handlers use it for every error they report. */
export class HttpError extends Error {
  readonly response: SimResponse;

  constructor(response: SimResponse) {
    super(`HTTP ${response.status}`);
    this.response = response;
  }
}

/** Filled in by handlers for the request log. */
export interface RequestContext {
  service: string;
  operation?: string;
  principal?: string;
}

export type Handler = (req: SimRequest, ctx: RequestContext) => Promise<SimResponse> | SimResponse;

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): SimResponse {
  return { status, body, headers };
}

export function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function parseForm(req: SimRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'));
}
