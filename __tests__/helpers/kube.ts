/**
 * Test helpers for the simulated clusters' Kubernetes API servers: kubeconfigs from the
 * list*Credential operations (through the real SDK), @kubernetes/client-node clients made from them
 * (direct or through the simulator's proxy), and raw HTTPS requests that trust the cluster's CA.
 */
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import type { Simulator } from '../../src/simulator/index.ts';
import { aksClient, firstCluster } from './simulator.ts';

export type CredentialKind = 'user' | 'admin' | 'monitoring';

/** The kubeconfig (YAML) AKS returns for the first cluster, through @azure/arm-containerservice. */
export async function kubeconfigOf(
  sim: Simulator,
  kind: CredentialKind = 'user',
  options: { format?: string } = {},
): Promise<string> {
  const c = firstCluster(sim);
  const mc = aksClient(sim).managedClusters;
  const result =
    kind === 'admin'
      ? await mc.listClusterAdminCredentials(c.resourceGroup, c.name)
      : kind === 'monitoring'
        ? await mc.listClusterMonitoringUserCredentials(c.resourceGroup, c.name)
        : await mc.listClusterUserCredentials(c.resourceGroup, c.name, options);
  const value = result.kubeconfigs?.[0]?.value;
  if (!value) throw new Error('no kubeconfig in the answer');
  return Buffer.from(value).toString('utf8');
}

export interface KubeconfigDoc {
  clusters: { name: string; cluster: Record<string, string> }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  users: { name: string; user: Record<string, unknown> }[];
  'current-context': string;
}

export function parseKubeconfig(text: string): KubeconfigDoc {
  return yaml.load(text) as KubeconfigDoc;
}

/**
 * A client-node KubeConfig from kubeconfig YAML, pointed at the API server directly (`direct`, the
 * certificate names 127.0.0.1) or left on the cluster's FQDN and sent through `proxyUrl`.
 */
export function kubeConfig(
  text: string,
  route: { direct: string } | { proxyUrl: string },
  edit: (doc: KubeconfigDoc) => void = () => {},
): KubeConfig {
  const doc = parseKubeconfig(text);
  edit(doc);
  const cluster = doc.clusters[0]!.cluster;
  if ('direct' in route) cluster.server = route.direct;
  else cluster['proxy-url'] = route.proxyUrl;
  const kc = new KubeConfig();
  kc.loadFromString(yaml.dump(doc));
  return kc;
}

export interface KubeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: unknown;
}

/** One HTTPS request to an API server, trusting its CA, with an optional token or client cert. */
export function kubeRaw(
  url: string,
  ca: string,
  options: {
    method?: string;
    token?: string;
    cert?: { cert: string; key: string };
    accept?: string;
    body?: unknown;
    /** A body sent as is, with this content type. */
    raw?: { contentType: string; data: Buffer };
  } = {},
): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const payload =
      options.raw?.data ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const contentType = options.raw?.contentType ?? 'application/json';
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        ca,
        ...(options.cert ? { cert: options.cert.cert, key: options.cert.key } : {}),
        headers: {
          Accept: options.accept ?? 'application/json',
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
          ...(payload ? { 'Content-Type': contentType } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
