/**
 * `npm run sim -- [--scenario NAME|FILE] [--list] [--env-out PATH] [--port N] [--proxy-port N]`
 *
 * Starts the simulator, prints the environment to export as KEY=value lines on stdout (a human
 * summary goes to stderr), and serves until interrupted.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { listScenarios, startSimulator, ScenarioError } from './index.ts';

const USAGE = `Usage: npm run sim -- [options]

  --scenario NAME|FILE   scenario to load (default: idle); see --list
  --list                 list the named scenarios and exit
  --env-out PATH         also write the KEY=value lines to PATH (for: set -a; . PATH; set +a)
  --port N               direct HTTPS port (default: a free port)
  --proxy-port N         CONNECT proxy port (default: a free port)
  --help                 show this help`;

function quote(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function port(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ScenarioError(`--${name} must be a port number from 0 to 65535, not "${value}".`);
  }
  return n;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        scenario: { type: 'string' },
        list: { type: 'boolean' },
        'env-out': { type: 'string' },
        port: { type: 'string' },
        'proxy-port': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.list) {
    for (const s of listScenarios())
      process.stdout.write(`${s.name.padEnd(30)} ${s.description}\n`);
    return 0;
  }
  const sim = await startSimulator({
    scenario: args.scenario ?? 'idle',
    ...(port(args.port, 'port') !== undefined ? { port: port(args.port, 'port')! } : {}),
    ...(port(args['proxy-port'], 'proxy-port') !== undefined
      ? { proxyPort: port(args['proxy-port'], 'proxy-port')! }
      : {}),
  });
  // Listen for the interrupt before printing: whoever reads the lines may send it at once.
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const lines = Object.entries(sim.env()).map(([k, v]) => `${k}=${quote(v)}`);
  if (args['env-out']) writeFileSync(args['env-out'], `${lines.join('\n')}\n`, { mode: 0o600 });
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stderr.write(
    `\naks-guard simulator: scenario "${sim.scenarioName}": ${sim.scenario.description}\n` +
      `  direct endpoints  ${sim.origin}  (ARM, Entra authority host, GitHub API at /api/v3, Azure DevOps at /ado/${sim.azureDevOps.organization}/)\n` +
      `  proxy             ${sim.proxyUrl}  (answers for management.azure.com, login.microsoftonline.com, api.github.com, dev.azure.com)\n` +
      `  admin API         ${sim.origin}/_sim  (state, requests, clock, faults)\n` +
      `  Kubernetes        ${sim.origin}/_sim/kubernetes  (each cluster's API server: its FQDN through the proxy, or directly; az aks get-credentials)\n` +
      `Export the lines above (e.g. --env-out sim.env, then: set -a; . ./sim.env; set +a). Ctrl-C stops.\n`,
  );
  await interrupted;
  await sim.stop();
  process.stderr.write('aks-guard simulator stopped.\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `${err instanceof ScenarioError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(err instanceof ScenarioError ? 2 : 1);
  },
);
