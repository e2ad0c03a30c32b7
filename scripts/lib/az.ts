/**
 * The real Azure CLI against the simulator: whether it is installed (CI insists on it), the
 * environment that points it at the simulator with a private config folder, and a signed-in session.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Simulator } from '../../src/simulator/index.ts';

/** Whether `az` runs here; with AKS_GUARD_REQUIRE_AZ=1 (as .ci/run sets) a missing az is an error. */
export function azInstalled(): boolean {
  let installed: boolean;
  try {
    execFileSync('az', ['version', '-o', 'none'], { stdio: 'ignore', timeout: 60_000 });
    installed = true;
  } catch {
    installed = false;
  }
  if (!installed && process.env.AKS_GUARD_REQUIRE_AZ === '1')
    throw new Error(
      'AKS_GUARD_REQUIRE_AZ=1 but `az` is not installed: CI must run the Azure CLI tests (apt-get install azure-cli).',
    );
  return installed;
}

/** az's environment: the simulator's proxy and CA, and its own config folder `dir`. */
export function azEnv(sim: Simulator, dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    AZURE_CONFIG_DIR: dir,
    AZURE_CORE_COLLECT_TELEMETRY: 'no',
    AZURE_CORE_NO_COLOR: 'true',
    ...sim.env(),
  };
}

/** An az session signed in as the simulator's service principal; `done` removes its folder. */
export async function azLogin(
  sim: Simulator,
): Promise<{ env: NodeJS.ProcessEnv; dir: string; done: () => void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-az-'));
  const env = azEnv(sim, dir);
  const sp = sim.servicePrincipal;
  await promisify(execFile)(
    'az',
    [
      'login',
      '--service-principal',
      '-u',
      sp.appId,
      // One argument: a generated secret may start with "-", which az would read as an option.
      `--password=${sp.secret}`,
      '--tenant',
      sp.tenantId,
      '-o',
      'none',
    ],
    { env },
  );
  return { env, dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}
