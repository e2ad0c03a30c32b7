/**
 * The front of the simulator: one HTTPS server answers for every simulated host, reached either
 * directly on 127.0.0.1 or through the CONNECT proxy (a plain-HTTP twin serves the managed
 * identity endpoints, which are plain HTTP on real machines too). It reads the request, applies injected
 * faults, dispatches by host, logs, and never lets a handler's exception take the process down.
 */
import https from 'node:https';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  HttpError,
  type Handler,
  type RequestContext,
  type SimRequest,
  type SimResponse,
} from './http-kit.ts';
import type { FaultInjector } from '../faults.ts';
import type { RequestLog } from '../request-log.ts';
import type { Clock } from '../clock.ts';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface SimServerOptions {
  /** Certificate and key for HTTPS; absent for the plain-HTTP identity endpoint. */
  tls?: { certPem: string; keyPem: string };
  dispatch: Handler;
  faults: FaultInjector;
  log: RequestLog;
  clock: Clock;
  /** Answer for a request that failed outside any handler (bad body, internal bug). */
  internalError: (req: SimRequest | undefined, message: string) => SimResponse;
}

export interface SimServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: SimResponse): void {
  let payload: Buffer | undefined;
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  if (r.body === undefined) payload = undefined;
  else if (Buffer.isBuffer(r.body)) payload = r.body;
  else if (typeof r.body === 'string') {
    payload = Buffer.from(r.body, 'utf8');
    if (!hasType) headers['Content-Type'] = 'text/plain; charset=utf-8';
  } else {
    payload = Buffer.from(JSON.stringify(r.body), 'utf8');
    if (!hasType) headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  headers['Content-Length'] = String(payload?.length ?? 0);
  res.writeHead(r.status, headers);
  res.end(payload);
}

/** Sends the status line, the headers (with the full Content-Length) and half the body, then resets. */
function sendTruncated(res: ServerResponse, r: SimResponse): void {
  const text =
    r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const payload = Buffer.from(text, 'utf8');
  res.writeHead(r.status, {
    ...(r.headers ?? {}),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(payload.length),
  });
  res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => res.socket?.destroy());
}

export async function startSimServer(opts: SimServerOptions, port = 0): Promise<SimServer> {
  const sockets = new Set<Socket>();
  const listener = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  const server: http.Server = opts.tls
    ? https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, listener)
    : http.createServer(listener);
  const scheme = opts.tls ? 'https' : 'http';
  // Sockets handed over by the proxy bypass 'connection' bookkeeping of listen(); track both.
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {
    /* a client that distrusts our CA hangs up; nothing to do */
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const hostHeader = (req.headers.host ?? `127.0.0.1:${actualPort}`).toLowerCase();
    const ctx: RequestContext = { service: 'unknown' };
    let simReq: SimRequest | undefined;
    let response: SimResponse;
    let dropped = false;
    /** The request was served, but its answer is lost (reset before it, or after part of its body). */
    let lost: 'drop-response' | 'truncate-response' | undefined;
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', `${scheme}://${hostHeader}`);
      simReq = {
        method: (req.method ?? 'GET').toUpperCase(),
        url,
        host: url.hostname,
        origin: url.origin,
        headers: req.headers,
        body: body === 'too-large' ? Buffer.alloc(0) : body,
      };
      if (body === 'too-large') {
        response = opts.internalError(simReq, `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
        response.status = 413;
      } else {
        const fault = await opts.faults.before(simReq);
        if (fault === 'drop') {
          dropped = true;
          response = { status: 0 };
        } else if (fault === 'drop-response' || fault === 'truncate-response') {
          lost = fault;
          response = await opts.dispatch(simReq, ctx);
        } else if (fault) {
          response = fault;
          ctx.service = 'fault';
        } else {
          response = await opts.dispatch(simReq, ctx);
        }
      }
    } catch (err) {
      if (err instanceof HttpError) response = err.response;
      else {
        const message = err instanceof Error ? err.message : String(err);
        response = opts.internalError(simReq, message);
        ctx.operation = `${ctx.operation ?? ''} (internal error: ${message})`.trim();
      }
    }
    opts.log.record({
      time: new Date(opts.clock.now()).toISOString(),
      method: simReq?.method ?? req.method ?? '?',
      host: simReq?.host ?? hostHeader,
      path: simReq?.url.pathname ?? req.url ?? '',
      apiVersion: simReq?.url.searchParams.get('api-version') ?? undefined,
      service: ctx.service,
      operation: ctx.operation,
      principal: ctx.principal,
      ...(typeof req.headers['if-match'] === 'string' ? { ifMatch: req.headers['if-match'] } : {}),
      ...(typeof req.headers['user-agent'] === 'string'
        ? { userAgent: req.headers['user-agent'] }
        : {}),
      status: dropped ? 0 : response.status,
      durationMs: Date.now() - started,
      dropped,
      ...(lost ? { responseLost: lost } : {}),
    });
    if (dropped || lost === 'drop-response') {
      req.socket.destroy();
      return;
    }
    if (lost === 'truncate-response') {
      sendTruncated(res, response);
      return;
    }
    try {
      send(res, response);
    } catch {
      res.destroy();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    server,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
