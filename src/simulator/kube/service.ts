/**
 * The simulated clusters' Kubernetes API servers: one per managed cluster, started the first time
 * anything needs it (its credentials are listed, a client connects to its FQDN through the proxy,
 * the admin API lists the servers), kept across `reset()` with its CA and local-account
 * credentials, so a kubeconfig stays valid for the cluster of the same name.
 */
import { clusterKey, type ClusterState } from '../aks/model.ts';
import { fqdn } from '../aks/serialize.ts';
import type { Clock } from '../clock.ts';
import type { SigningKey } from '../identity/keys.ts';
import { json, type RequestContext, type SimRequest, type SimResponse } from '../net/http-kit.ts';
import type { RequestLog } from '../request-log.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { SimState } from '../state.ts';
import { KubeApiServer, aadProfile } from './apiserver.ts';
import { kubeconfigYaml, type KubeUser } from './kubeconfig.ts';
import { createClusterPki, type ClusterPki, type LocalAccount } from './pki.ts';
import { kubernetesSchema, type KubernetesSpec } from './schema.ts';

export interface KubernetesOptions {
  state: () => SimState;
  scenario: () => Scenario;
  entraKey: SigningKey;
  clock: Clock;
  log: RequestLog;
}

export type CredentialKind = LocalAccount['kind'];

const DEFAULT_SPEC: KubernetesSpec = kubernetesSchema.parse({});
const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface ApiServerInfo {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  fqdn: string;
  /** What kubeconfigs name: https://{fqdn}:443 (through the proxy). */
  server: string;
  /** https://127.0.0.1:PORT: the same server, directly (its certificate names 127.0.0.1). */
  direct: string;
  caCertificate: string;
  reachable: boolean;
}

export class KubernetesService {
  private readonly o: KubernetesOptions;
  private readonly servers = new Map<string, Promise<{ api: KubeApiServer; pki: ClusterPki }>>();

  constructor(options: KubernetesOptions) {
    this.o = options;
  }

  private key(c: ClusterState): string {
    return clusterKey(c.subscriptionId, c.resourceGroup, c.name);
  }

  private current(key: string): ClusterState | undefined {
    return this.o.state().clusters.get(key);
  }

  /** The scenario's `kubernetes` section for the cluster (defaults for clusters created later). */
  specFor(key: string): KubernetesSpec {
    const s = this.o.scenario();
    const c = this.current(key);
    if (!c) return DEFAULT_SPEC;
    const spec = s.clusters.find(
      (x) => clusterKey(x.subscription ?? s.subscriptions[0]!.id, x.resourceGroup, x.name) === key,
    )?.kubernetes;
    return spec ?? DEFAULT_SPEC;
  }

  /** The cluster's API server, started now if it is not running yet. */
  async ensure(cluster: ClusterState): Promise<{ api: KubeApiServer; pki: ClusterPki }> {
    const key = this.key(cluster);
    let entry = this.servers.get(key);
    if (!entry) {
      entry = (async () => {
        const host = fqdn(cluster).toLowerCase();
        const pki = await createClusterPki([
          host,
          'kubernetes',
          'kubernetes.default',
          'kubernetes.default.svc',
          'kubernetes.default.svc.cluster.local',
          'localhost',
          '10.0.0.1',
          '127.0.0.1',
        ]);
        const api = new KubeApiServer({
          cluster: () => this.current(key),
          engine: () => this.o.state().engine,
          directory: () => this.o.state().directory,
          spec: () => this.specFor(key),
          pki,
          entraKey: this.o.entraKey,
          clock: this.o.clock,
          log: this.o.log,
          epochMs: this.o.clock.now() - WEEK_MS,
        });
        await api.listen();
        return { api, pki };
      })();
      this.servers.set(key, entry);
    }
    return entry;
  }

  /** The cluster whose FQDN this is (what the proxy tunnels to). */
  clusterForHost(host: string): ClusterState | undefined {
    const h = host.toLowerCase();
    return [...this.o.state().clusters.values()].find((c) => fqdn(c).toLowerCase() === h);
  }

  /** The API server for a CONNECT to host:port, when host is a running cluster's FQDN on 443. */
  async serverForHost(host: string, port: number): Promise<KubeApiServer | undefined> {
    if (port !== 443) return undefined;
    const c = this.clusterForHost(host);
    if (!c) return undefined;
    return (await this.ensure(c)).api;
  }

  /** A kubeconfig (YAML) for the cluster, as listCluster*Credential returns it base64-encoded. */
  async kubeconfig(
    cluster: ClusterState,
    kind: CredentialKind,
    options: { format?: 'exec' | 'azure'; environment?: string } = {},
  ): Promise<string> {
    const { pki } = await this.ensure(cluster);
    const aad = kind === 'clusterUser' ? aadProfile(cluster) : undefined;
    const tenantId =
      typeof aad?.tenantID === 'string' ? aad.tenantID : this.o.state().directory.tenantId;
    const environment = options.environment ?? 'AzurePublicCloud';
    const user: KubeUser = aad
      ? { kind: options.format === 'azure' ? 'azure' : 'exec', tenantId, environment }
      : { kind: 'local', account: pki.account(kind) };
    return kubeconfigYaml({
      clusterName: cluster.name,
      resourceGroup: cluster.resourceGroup,
      server: `https://${fqdn(cluster)}:443`,
      caCertPem: pki.caCertPem,
      userPrefix: kind,
      user,
    });
  }

  async info(cluster: ClusterState): Promise<ApiServerInfo> {
    const { api, pki } = await this.ensure(cluster);
    const host = fqdn(cluster);
    return {
      subscriptionId: cluster.subscriptionId,
      resourceGroup: cluster.resourceGroup,
      name: cluster.name,
      fqdn: host,
      server: `https://${host}:443`,
      direct: `https://127.0.0.1:${api.port}`,
      caCertificate: pki.caCertPem,
      reachable: api.reachable(),
    };
  }

  /** Every cluster's API server (starting those not running yet). */
  async list(): Promise<ApiServerInfo[]> {
    return Promise.all([...this.o.state().clusters.values()].map((c) => this.info(c)));
  }

  /** `GET /_sim/kubernetes`: every cluster's API server, its FQDN, direct URL and CA. */
  async handleAdmin(req: SimRequest, ctx: RequestContext): Promise<SimResponse> {
    ctx.service = 'admin';
    ctx.operation = 'Admin_Kubernetes';
    if (req.method !== 'GET')
      return json(405, { error: { code: 'MethodNotAllowed', message: 'Use GET.' } });
    return json(200, { value: await this.list() });
  }

  async close(): Promise<void> {
    const entries = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(
      entries.map(async (entry) => {
        const started = await entry.catch(() => undefined);
        await started?.api.close();
      }),
    );
  }
}
