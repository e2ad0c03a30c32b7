/**
 * An HTTP CONNECT proxy that terminates TLS for the simulated hosts with certificates from the
 * simulator's CA and hands the tunnel to the simulator's HTTPS server. It never opens a connection
 * anywhere: a CONNECT to any other host is refused, so a test cannot silently reach the internet.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestLog } from '../request-log.ts';
import type { Clock } from '../clock.ts';

export interface ProxyServer {
  port: number;
  close(): Promise<void>;
}

export async function startProxy(opts: {
  target: http.Server;
  /** Serves plain-HTTP proxy requests (absolute-form) for the hosts isSimulatedPlain accepts. */
  plainTarget: http.Server;
  isSimulatedPlain: (host: string) => boolean;
  /** Whether the proxy may tunnel to host:port (only the simulator's own hosts). */
  isSimulated: (host: string, port: number) => boolean;
  /**
   * A server of its own for host:port (a simulated cluster's Kubernetes API server at its FQDN),
   * or undefined for the main target / a refusal.
   */
  resolveTarget?: (host: string, port: number) => Promise<http.Server | undefined>;
  log: RequestLog;
  clock: Clock;
  port?: number;
}): Promise<ProxyServer> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    // Plain-HTTP proxying ("GET http://host/..."): only the instance metadata service is simulated
    // over plain HTTP, as on a real VM.
    const target = req.url ?? '';
    let host = '';
    try {
      host = new URL(target).hostname;
    } catch {
      /* not absolute-form: refused below */
    }
    if (host && opts.isSimulatedPlain(host)) {
      opts.plainTarget.emit('request', req, res);
      return;
    }
    refuse(`plain HTTP request for ${target}`, req.method ?? 'GET', target);
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(
      `aks-guard simulator proxy: only HTTPS (CONNECT) to simulated hosts is served, not ${target}\n`,
    );
  });

  function refuse(reason: string, method: string, target: string): void {
    opts.log.record({
      time: new Date(opts.clock.now()).toISOString(),
      method,
      host: target,
      path: '',
      service: 'proxy',
      operation: `refused: ${reason}`,
      status: 403,
      durationMs: 0,
      dropped: false,
    });
  }

  server.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    void tunnel(req, socket, head);
  });

  async function tunnel(req: http.IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const authority = req.url ?? '';
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(authority);
    const host = (m?.[1] ?? '').toLowerCase();
    const port = Number(m?.[2] ?? '443');
    let own: http.Server | undefined;
    try {
      own = m && opts.resolveTarget ? await opts.resolveTarget(host, port) : undefined;
    } catch {
      own = undefined;
    }
    if (!m || (!own && !opts.isSimulated(host, port))) {
      refuse(`${authority} is not a simulated host`, 'CONNECT', authority);
      socket.end(
        'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n' +
          `aks-guard simulator proxy: ${authority} is not simulated and this proxy never connects out\n`,
      );
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    (own ?? opts.target).emit('connection', socket);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
