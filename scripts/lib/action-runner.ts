/**
 * Runs the built Action (dist/index.js) the way the GitHub runner does: a fresh Node process with
 * INPUT_* variables (action.yml defaults filled in, hyphens kept), GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, and the OIDC request URL and token. Against a simulator, either direct
 * (environment: custom) or through its proxy with the default endpoints. Used by the demo, the
 * benchmark and the end-to-end tests.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import type { Simulator } from '../../src/simulator/index.ts';
import { spawnBundle, type SpawnOptions } from './spawn-bundle.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE = path.join(ROOT, 'dist/index.js');

export interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { description: string }>;
}

export function actionYml(): ActionYml {
  return yaml.load(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
}

export interface ActionRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** stdout lines without workflow commands (::group:: etc.). */
  log: string[];
  /** Values registered with ::add-mask::. */
  masks: string[];
  /** Milliseconds from spawn to exit. */
  elapsedMs: number;
}

export type Mode = 'direct' | 'proxy';

export interface RunOptions extends SpawnOptions {
  /** direct: environment custom with the simulator's origin; proxy: default endpoints via HTTPS_PROXY. */
  mode?: Mode;
  /** Extra environment (overrides the defaults; undefined removes a variable). */
  env?: Record<string, string | undefined>;
}

/** Inputs the way a workflow's `with:` gives them; the cluster and identity come from the simulator. */
export function baseInputs(sim: Simulator, mode: Mode = 'direct'): Record<string, string> {
  const env = sim.env();
  return {
    'subscription-id': env.AZURE_SUBSCRIPTION_ID!,
    'resource-group': env.AKS_RESOURCE_GROUP!,
    'cluster-name': env.AKS_CLUSTER_NAME!,
    'client-id': env.AZURE_CLIENT_ID!,
    'tenant-id': env.AZURE_TENANT_ID!,
    ...(mode === 'direct'
      ? { environment: 'custom', 'arm-endpoint': sim.origin, 'authority-host': sim.origin }
      : {}),
  };
}

/** The environment the runner gives a node24 action step (with the simulator's CA trusted). */
export function runnerEnv(sim: Simulator, dir: string, mode: Mode): Record<string, string> {
  const env = sim.env();
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    RUNNER_TEMP: dir,
    RUNNER_OS: 'Linux',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    GITHUB_REPOSITORY: env.GITHUB_REPOSITORY!,
    GITHUB_EVENT_NAME: 'push',
    NODE_EXTRA_CA_CERTS: sim.caFile,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN!,
    ACTIONS_ID_TOKEN_REQUEST_URL:
      mode === 'direct' ? env.AKS_SIM_ID_TOKEN_REQUEST_URL! : env.ACTIONS_ID_TOKEN_REQUEST_URL!,
    GITHUB_API_URL: mode === 'direct' ? env.AKS_SIM_GITHUB_API_URL! : 'https://api.github.com',
    ...(mode === 'proxy' ? { HTTPS_PROXY: sim.proxyUrl, HTTP_PROXY: sim.proxyUrl } : {}),
  };
}

/** Parses the GITHUB_OUTPUT file: `name<<DELIMITER`, value lines, `DELIMITER` (or `name=value`). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (m) {
      const [, name, delimiter] = m;
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const at = lines[i]!.indexOf('=');
      out[lines[i]!.slice(0, at)] = lines[i]!.slice(at + 1);
    }
  }
  return out;
}

/** INPUT_* variables: every declared input with its default, then the given ones. */
export function inputEnv(inputs: Record<string, string>, githubToken = ''): Record<string, string> {
  const env: Record<string, string> = {};
  // The runner evaluates expressions in defaults; ${{ github.token }} is the job's token.
  for (const [name, spec] of Object.entries(actionYml().inputs))
    env[`INPUT_${name.toUpperCase()}`] = (spec.default ?? '').replace(
      /\$\{\{\s*github\.token\s*\}\}/g,
      githubToken,
    );
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  return env;
}

export async function runAction(
  sim: Simulator,
  inputs: Record<string, string>,
  options: RunOptions = {},
): Promise<ActionRun> {
  const mode = options.mode ?? 'direct';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-action-'));
  try {
    const env: Record<string, string> = {
      ...runnerEnv(sim, dir, mode),
      ...inputEnv({ ...baseInputs(sim, mode), ...inputs }, sim.github.writeToken),
    };
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    writeFileSync(env.GITHUB_OUTPUT!, '');
    writeFileSync(env.GITHUB_STEP_SUMMARY!, '');
    const started = Date.now();
    const { code, signal, stdout, stderr } = await spawnBundle(BUNDLE, env, dir, options);
    const elapsedMs = Date.now() - started;
    const outputs = parseOutputFile(readFileSync(env.GITHUB_OUTPUT!, 'utf8'));
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8');
    const lines = stdout.split('\n');
    return {
      code,
      signal,
      stdout,
      stderr,
      outputs,
      summary,
      log: lines.filter((l) => !l.startsWith('::')),
      masks: lines.filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice(12)),
      elapsedMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
