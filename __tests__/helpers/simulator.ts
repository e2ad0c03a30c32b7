/**
 * Test harness: starts a simulator on free loopback ports, makes this process trust its CA (as
 * NODE_EXTRA_CA_CERTS does for a child process), and builds real SDK clients against it.
 */
import tls from 'node:tls';
import { ClientSecretCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import {
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.ts';
import { Clock } from '../../src/simulator/clock.ts';

const trusted = new Set<string>();

export function trust(pem: string): void {
  trusted.add(pem);
  tls.setDefaultCACertificates([...tls.getCACertificates('bundled'), ...trusted]);
}

/**
 * Operations finish in about a second and LRO answers carry no Retry-After, so the SDK polls at
 * the interval a test asks for; tests that wait on operations stay fast.
 */
export const FAST = {
  retryAfterSeconds: 0,
  durations: {
    create: 1,
    upgrade: 1.5,
    scale: 1,
    'upgrade-node-image': 1,
    start: 1,
    stop: 1,
    reconcile: 1,
  },
  cancelSeconds: 0.5,
  runCommandSeconds: 0.3,
};

export async function simulator(
  scenario = 'idle',
  overrides?: unknown,
  options: Pick<SimulatorOptions, 'clock'> = {},
): Promise<Simulator> {
  const sim = await startSimulator({ scenario, overrides, ...options });
  trust(sim.caCertPem);
  return sim;
}

/**
 * Simulated time that stands still (at the real time it was made) until the test calls
 * sim.advance(): for assertions on progress, expiry or throttling refill that must not depend on
 * how fast the machine runs. Pass it as `simulator(scenario, overrides, { clock: frozenClock() })`.
 */
export function frozenClock(): Clock {
  return Clock.frozen(Date.now());
}

export interface Cluster {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function firstCluster(sim: Simulator): Cluster {
  const env = sim.env();
  return {
    subscriptionId: env.AZURE_SUBSCRIPTION_ID!,
    resourceGroup: env.AKS_RESOURCE_GROUP!,
    name: env.AKS_CLUSTER_NAME!,
  };
}

/** A service principal credential against the direct authority host (sovereign-cloud style). */
export function credential(
  sim: Simulator,
  principal?: { appId: string; secret: string },
): ClientSecretCredential {
  const sp = principal ?? sim.servicePrincipal;
  return new ClientSecretCredential(sim.servicePrincipal.tenantId, sp.appId, sp.secret, {
    authorityHost: sim.origin,
    disableInstanceDiscovery: true,
  });
}

export function aksClient(
  sim: Simulator,
  cred: TokenCredential = credential(sim),
  apiVersion?: string,
): ContainerServiceClient {
  return new ContainerServiceClient(cred, firstCluster(sim).subscriptionId, {
    endpoint: sim.origin,
    ...(apiVersion ? { apiVersion } : {}),
  });
}

export async function armToken(
  sim: Simulator,
  principal?: { appId: string; secret: string },
): Promise<string> {
  const t = await credential(sim, principal).getToken('https://management.azure.com/.default');
  return t.token;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A raw HTTPS request to the simulator, for assertions on status codes, headers and bodies. */
export async function raw(
  sim: Simulator,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? await armToken(sim) : opts.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${sim.origin}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: tests look at `text`
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function clusterPath(c: Cluster, suffix = '', apiVersion = '2026-04-01'): string {
  const sep = suffix.includes('?') ? '&' : '?';
  return `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${c.name}${suffix}${sep}api-version=${apiVersion}`;
}

/** Calls the simulator's admin API. */
export async function admin(
  sim: Simulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawResponse> {
  return raw(sim, method, `/_sim${path}`, { token: null, ...(body !== undefined ? { body } : {}) });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The ARM error a failed SDK call reports: a RestError's code and message, or the code and message
 * core-lro folds into "The long-running operation has failed. CODE. MESSAGE".
 */
export function armErrorOf(err: unknown): { statusCode?: number; code?: string; message: string } {
  const e = (err ?? {}) as {
    statusCode?: number;
    code?: string;
    message?: string;
    details?: { error?: { code?: string; message?: string } };
  };
  const lro = /^The long-running operation has failed\. ([^.\s]+)\. (.*)$/s.exec(e.message ?? '');
  if (lro) return { code: lro[1]!, message: lro[2]! };
  return {
    ...(e.statusCode !== undefined ? { statusCode: e.statusCode } : {}),
    ...((e.details?.error?.code ?? e.code) !== undefined
      ? { code: e.details?.error?.code ?? e.code }
      : {}),
    message: e.details?.error?.message ?? e.message ?? String(err),
  };
}
