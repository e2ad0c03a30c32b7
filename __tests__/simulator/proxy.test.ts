/**
 * The CONNECT proxy: unmodified SDKs with their default endpoints reach the simulator given only
 * HTTPS_PROXY and the CA; anything else is refused without a connection being opened.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import { simulator, FAST } from '../helpers/simulator.ts';

const run = promisify(execFile);

/** Sends a raw CONNECT to the proxy and returns the status line it answers with. */
function connect(proxyPort: number, authority: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1', () =>
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`),
    );
    let data = '';
    socket.on('data', (d: Buffer) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
  });
}

describe('CONNECT proxy', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
  });
  afterAll(() => sim.stop());

  test('a child process with default endpoints signs in, reads AKS (secret and OIDC) and comments on GitHub through it', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...sim.env() };
    const { stdout } = await run(
      process.execPath,
      [path.resolve(import.meta.dirname, '../fixtures/default-endpoints-client.ts')],
      { env, timeout: 60000 },
    );
    // @actions/core prints ::debug:: and ::add-mask:: workflow commands on stdout too.
    const result = stdout.split('\n').find((l) => l.startsWith('{'))!;
    expect(JSON.parse(result)).toEqual({
      withSecret: { name: 'aks-demo', provisioningState: 'Succeeded' },
      withOidc: ['system:Succeeded', 'user:Succeeded'],
      comments: ['updated in place'],
    });
    const hosts = new Set(sim.log.list().map((e) => `${e.host} ${e.operation ?? ''}`));
    for (const h of [
      'login.microsoftonline.com Entra_Token',
      'management.azure.com ManagedClusters_Get',
      'management.azure.com AgentPools_List',
      'pipelines.actions.githubusercontent.com GitHubOidc_IdToken',
      'api.github.com Issues_CreateComment',
      'api.github.com Issues_UpdateComment',
    ]) {
      expect(hosts).toContain(h);
    }
  });

  test('a CONNECT to any other host is refused with 403 and logged', async () => {
    expect(await connect(sim.proxyPort, 'example.com:443')).toBe('HTTP/1.1 403 Forbidden');
    expect(await connect(sim.proxyPort, 'management.azure.com:8443')).toBe(
      'HTTP/1.1 403 Forbidden',
    );
    expect(
      sim.log
        .list()
        .filter((e) => e.service === 'proxy')
        .map((e) => e.host),
    ).toEqual(['example.com:443', 'management.azure.com:8443']);
  });

  test('it never opens a connection elsewhere, not even to another loopback server', async () => {
    let connections = 0;
    const bystander = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => bystander.listen(0, '127.0.0.1', r));
    const port = (bystander.address() as net.AddressInfo).port;
    expect(await connect(sim.proxyPort, `127.0.0.1:${port}`)).toBe('HTTP/1.1 403 Forbidden');
    await new Promise<void>((r) => bystander.close(() => r()));
    expect(connections).toBe(0);
  });

  test("the simulator's own direct address is reachable through it, for clients that proxy everything", async () => {
    expect(await connect(sim.proxyPort, `127.0.0.1:${sim.port}`)).toBe(
      'HTTP/1.1 200 Connection Established',
    );
  });
});
