/**
 * aks-guard's access to one AKS cluster through @azure/arm-containerservice, returning plain views
 * the guard reasons about. The preview operation-status API is reached through the SDK client's
 * own pipeline (authentication, retries, proxy) and degrades to "unavailable" when it is absent.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  createDefaultHttpClient,
  createPipelineRequest,
  type HttpClient,
} from '@azure/core-rest-pipeline';
import {
  ContainerServiceClient,
  type AgentPool,
  type ManagedCluster,
} from '@azure/arm-containerservice';
import {
  AksError,
  armErrorFromBody,
  errorBodyRecorder,
  retryAfterSeconds,
  toAksError,
  type OnResponse,
} from './arm-error.ts';
import type { Cloud } from './settings.ts';
import type {
  AksApi,
  ClusterView,
  CommandResult,
  OperationStatus,
  PoolView,
  UpgradeProfile,
  WriteAccepted,
} from './aks/api.ts';

/** The preview api-version that serves operations/latest and operations/{id}. */
export const OPERATION_STATUS_API_VERSION = '2026-08-02-preview';

export interface AksClientOptions {
  credential: TokenCredential;
  cloud: Cloud;
  subscriptionId: string;
  resourceGroup: string;
  clusterName: string;
  userAgent?: string;
}

function lowerHeaders(raw: unknown): Record<string, string> {
  return JSON.parse(JSON.stringify(raw ?? {})) as Record<string, string>;
}

/** The operation id at the end of an Azure-AsyncOperation / location URL. */
function operationIdOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).pathname.split('/').filter(Boolean).at(-1);
  } catch {
    return undefined;
  }
}

function poolView(p: {
  name?: string;
  mode?: string;
  provisioningState?: string;
  powerState?: { code?: string };
  count?: number;
  enableAutoScaling?: boolean;
  minCount?: number;
  maxCount?: number;
  orchestratorVersion?: string;
  currentOrchestratorVersion?: string;
  nodeImageVersion?: string;
  osType?: string;
  vmSize?: string;
}): PoolView {
  return {
    name: p.name ?? '',
    mode: p.mode ?? '',
    provisioningState: p.provisioningState ?? 'Unknown',
    powerState: p.powerState?.code ?? 'Unknown',
    count: p.count ?? 0,
    enableAutoScaling: p.enableAutoScaling ?? false,
    ...(p.minCount !== undefined ? { minCount: p.minCount } : {}),
    ...(p.maxCount !== undefined ? { maxCount: p.maxCount } : {}),
    orchestratorVersion: p.orchestratorVersion ?? '',
    currentOrchestratorVersion: p.currentOrchestratorVersion ?? p.orchestratorVersion ?? '',
    nodeImageVersion: p.nodeImageVersion ?? '',
    osType: p.osType ?? '',
    vmSize: p.vmSize ?? '',
  };
}

function statusOf(body: unknown, fallbackId: string): OperationStatus {
  const b = (body ?? {}) as Record<string, unknown>;
  const date = (v: unknown): Date | undefined =>
    typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined;
  const error = armErrorFromBody(b.error);
  const startTime = date(b.startTime);
  const endTime = date(b.endTime);
  return {
    id: typeof b.name === 'string' ? b.name : fallbackId,
    status: typeof b.status === 'string' ? b.status : 'Unknown',
    ...(typeof b.percentComplete === 'number' ? { percentComplete: b.percentComplete } : {}),
    ...(startTime ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
    ...(typeof b.operationType === 'string' ? { operationType: b.operationType } : {}),
    ...(typeof b.subOperationType === 'string' ? { subOperationType: b.subOperationType } : {}),
    ...(error ? { error } : {}),
  };
}

function withRetryAfter(op: OperationStatus, headers: Record<string, string>): OperationStatus {
  const seconds = retryAfterSeconds((name) => headers[name]);
  return seconds !== undefined ? { ...op, retryAfterSeconds: seconds } : op;
}

export class AksClient implements AksApi {
  readonly sdk: ContainerServiceClient;
  private readonly o: AksClientOptions;
  private readonly http: HttpClient = createDefaultHttpClient();
  /** Set when the preview API answered that it does not exist here; then it is not asked again. */
  private previewUnavailable = false;

  constructor(options: AksClientOptions) {
    this.o = options;
    this.sdk = new ContainerServiceClient(options.credential, options.subscriptionId, {
      endpoint: options.cloud.armEndpoint,
      credentials: { scopes: [options.cloud.armScope] },
      userAgentOptions: { userAgentPrefix: options.userAgent ?? 'aks-guard' },
    });
  }

  get clusterId(): string {
    return `/subscriptions/${this.o.subscriptionId}/resourceGroups/${this.o.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${this.o.clusterName}`;
  }

  /** One SDK call; a failure becomes an AksError, with the whole error body AKS sent. */
  private async call<T>(fn: (options: { onResponse: OnResponse }) => Promise<T>): Promise<T> {
    const failed = errorBodyRecorder();
    try {
      return await fn({ onResponse: failed.onResponse });
    } catch (err) {
      throw toAksError(err, failed.body);
    }
  }

  /** One GET: the cluster and the state of every pool. */
  async getCluster(): Promise<ClusterView> {
    const mc = await this.call((options) =>
      this.sdk.managedClusters.get(this.o.resourceGroup, this.o.clusterName, options),
    );
    return {
      id: mc.id ?? this.clusterId,
      name: mc.name ?? this.o.clusterName,
      location: mc.location,
      provisioningState: mc.provisioningState ?? 'Unknown',
      powerState: mc.powerState?.code ?? 'Unknown',
      kubernetesVersion: mc.kubernetesVersion ?? '',
      currentKubernetesVersion: mc.currentKubernetesVersion ?? mc.kubernetesVersion ?? '',
      ...(mc.eTag ? { eTag: mc.eTag } : {}),
      pools: (mc.agentPoolProfiles ?? []).map(poolView),
      model: mc,
    };
  }

  async getPool(name: string): Promise<PoolView & { eTag?: string; model: AgentPool }> {
    const p = await this.call((options) =>
      this.sdk.agentPools.get(this.o.resourceGroup, this.o.clusterName, name, options),
    );
    return { ...poolView(p), ...(p.eTag ? { eTag: p.eTag } : {}), model: p };
  }

  async upgradeProfile(): Promise<UpgradeProfile> {
    const p = await this.call((options) =>
      this.sdk.managedClusters.getUpgradeProfile(this.o.resourceGroup, this.o.clusterName, options),
    );
    const list = (u: { kubernetesVersion?: string; isPreview?: boolean }[] | undefined) =>
      (u ?? []).map((x) => ({
        version: x.kubernetesVersion ?? '',
        isPreview: x.isPreview === true,
      }));
    return {
      controlPlane: {
        version: p.controlPlaneProfile.kubernetesVersion,
        upgrades: list(p.controlPlaneProfile.upgrades),
      },
      pools: (p.agentPoolProfiles ?? []).map((a) => ({
        name: a.name ?? '',
        version: a.kubernetesVersion,
        upgrades: list(a.upgrades),
      })),
    };
  }

  async latestNodeImage(pool: string): Promise<string | undefined> {
    const p = await this.call((options) =>
      this.sdk.agentPools.getUpgradeProfile(
        this.o.resourceGroup,
        this.o.clusterName,
        pool,
        options,
      ),
    );
    return p.latestNodeImageVersion;
  }

  /** GETs a URL (an absolute status URL, or a path under the ARM endpoint) through the SDK pipeline. */
  private async get(
    urlOrPath: string,
  ): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
    const url = urlOrPath.startsWith('https://')
      ? urlOrPath
      : `${this.o.cloud.armEndpoint}${urlOrPath}`;
    try {
      const res = await this.sdk.pipeline.sendRequest(
        this.http,
        createPipelineRequest({ url, method: 'GET' }),
      );
      let body: unknown;
      try {
        body = res.bodyAsText ? JSON.parse(res.bodyAsText) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, body, headers: lowerHeaders(res.headers.toJSON()) };
    } catch (err) {
      throw toAksError(err);
    }
  }

  /**
   * The latest operation on the cluster (or the pool), from the preview API. `unavailable` when
   * this ARM does not serve it; undefined when there has been no operation.
   */
  async operation(id: string, pool?: string): Promise<OperationStatus | undefined | 'unavailable'> {
    if (this.previewUnavailable) return 'unavailable';
    const scope = pool ? `${this.clusterId}/agentPools/${pool}` : this.clusterId;
    const r = await this.get(
      `${scope}/operations/${id}?api-version=${OPERATION_STATUS_API_VERSION}`,
    );
    if (r.status === 200) return withRetryAfter(statusOf(r.body, id), r.headers);
    if (r.status === 404 && armErrorFromBody(r.body)?.code === 'NotFound') return undefined;
    const err = armErrorFromBody(r.body);
    if (r.status === 400 || r.status === 404 || r.status === 405) {
      // NoRegisteredProviderFound, InvalidResourceType, InvalidApiVersionParameter: not served here.
      this.previewUnavailable = true;
      return 'unavailable';
    }
    throw new AksError(
      err ?? { code: `HTTP${r.status}`, message: `operations/${id} answered ${r.status}` },
      r.status,
    );
  }

  /** Status from an Azure-AsyncOperation URL (the stable LRO protocol). */
  async asyncStatus(url: string): Promise<OperationStatus> {
    const r = await this.get(url);
    if (r.status >= 400)
      throw new AksError(
        armErrorFromBody(r.body) ?? {
          code: `HTTP${r.status}`,
          message: `status URL answered ${r.status}`,
        },
        r.status,
      );
    if (r.status === 202)
      return withRetryAfter({ id: operationIdOf(url) ?? '', status: 'InProgress' }, r.headers);
    if (r.status === 204 || r.body === undefined)
      return { id: operationIdOf(url) ?? '', status: 'Succeeded' };
    return withRetryAfter(statusOf(r.body, operationIdOf(url) ?? ''), r.headers);
  }

  /** Sends a write through the SDK and returns its first answer; the guard does the waiting. */
  private async submit(
    start: (onResponse: OnResponse) => {
      submitted(): Promise<void>;
    },
  ): Promise<WriteAccepted> {
    let first: { status: number; headers: Record<string, string> } | undefined;
    const failed = errorBodyRecorder();
    const poller = start((r) => {
      first ??= { status: Number(r.status), headers: lowerHeaders(r.headers) };
      failed.onResponse(r);
    });
    try {
      await poller.submitted();
    } catch (err) {
      throw toAksError(err, failed.body);
    }
    const statusUrl = first?.headers['azure-asyncoperation'] ?? first?.headers.location;
    const operationId = operationIdOf(statusUrl);
    return {
      status: first?.status ?? 0,
      ...(operationId ? { operationId } : {}),
      ...(statusUrl ? { statusUrl } : {}),
    };
  }

  putCluster(model: ManagedCluster, eTag: string | undefined): Promise<WriteAccepted> {
    return this.submit((onResponse) =>
      this.sdk.managedClusters.createOrUpdate(this.o.resourceGroup, this.o.clusterName, model, {
        ...(eTag ? { ifMatch: eTag } : {}),
        onResponse,
      }),
    );
  }

  putPool(name: string, model: AgentPool, eTag: string | undefined): Promise<WriteAccepted> {
    return this.submit((onResponse) =>
      this.sdk.agentPools.createOrUpdate(this.o.resourceGroup, this.o.clusterName, name, model, {
        ...(eTag ? { ifMatch: eTag } : {}),
        onResponse,
      }),
    );
  }

  start(): Promise<WriteAccepted> {
    return this.submit((onResponse) =>
      this.sdk.managedClusters.start(this.o.resourceGroup, this.o.clusterName, { onResponse }),
    );
  }

  stop(): Promise<WriteAccepted> {
    return this.submit((onResponse) =>
      this.sdk.managedClusters.stop(this.o.resourceGroup, this.o.clusterName, { onResponse }),
    );
  }

  upgradeNodeImage(pool: string): Promise<WriteAccepted> {
    return this.submit((onResponse) =>
      this.sdk.agentPools.upgradeNodeImageVersion(this.o.resourceGroup, this.o.clusterName, pool, {
        onResponse,
      }),
    );
  }

  /** POST .../abort on the cluster or a pool: 202 (poll until Canceled) or 204; throws on 409. */
  abort(pool?: string, options: { abortSignal?: AbortSignal } = {}): Promise<WriteAccepted> {
    return this.submit((onResponse) =>
      pool
        ? this.sdk.agentPools.abortLatestOperation(this.o.resourceGroup, this.o.clusterName, pool, {
            ...options,
            onResponse,
          })
        : this.sdk.managedClusters.abortLatestOperation(this.o.resourceGroup, this.o.clusterName, {
            ...options,
            onResponse,
          }),
    );
  }

  runCommand(command: string, context?: string): Promise<WriteAccepted> {
    return this.submit((onResponse) =>
      this.sdk.managedClusters.runCommand(
        this.o.resourceGroup,
        this.o.clusterName,
        { command, ...(context ? { context } : {}) },
        { onResponse },
      ),
    );
  }

  /** A run-command result: undefined while it runs. */
  async commandResult(commandId: string): Promise<CommandResult | undefined> {
    const r = await this.call((options) =>
      this.sdk.managedClusters.getCommandResult(
        this.o.resourceGroup,
        this.o.clusterName,
        commandId,
        options,
      ),
    );
    if (!r || !r.provisioningState) return undefined;
    return {
      provisioningState: r.provisioningState,
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      ...(r.logs !== undefined ? { logs: r.logs } : {}),
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
    };
  }
}
