/**
 * An in-process AKS for policy tests: FakeAks implements the guard's AksApi over a scripted
 * cluster whose operations run on a virtual clock. Operations end when virtual time reaches their
 * end (the guard's own sleeps move it), block writes by AKS's rules (a cluster operation blocks
 * everything, a pool operation the cluster and that pool), and abort as AKS does (Canceling, then
 * Canceled; 409 when nothing runs). Every call is recorded with its virtual time.
 */
import type { AgentPool, ManagedCluster } from '@azure/arm-containerservice';
import { AksError, type ArmError } from '../../src/core/arm-error.ts';
import type {
  AksApi,
  ClusterView,
  CommandResult,
  OperationStatus,
  PoolView,
  UpgradeProfile,
  WriteAccepted,
} from '../../src/core/aks/api.ts';
import { isTerminal } from '../../src/core/aks/status.ts';
import type { Clockwork } from '../../src/core/lro/wait.ts';
import { parseSettings, type Settings } from '../../src/core/settings.ts';

export const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);

/** Virtual time: sleep() returns at once, having moved the clock (or early when the signal aborts). */
export class VirtualClock implements Clockwork {
  t = T0;
  readonly sleeps: { at: number; ms: number }[] = [];
  /** Aborts this controller when virtual time reaches `at`, waking the sleeper early. */
  abortAt?: { at: number; controller: AbortController };

  now(): number {
    return this.t;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push({ at: this.t, ms });
    await Promise.resolve();
    if (signal?.aborted) return;
    const a = this.abortAt;
    if (a && this.t + ms >= a.at) {
      this.t = Math.max(this.t, a.at);
      a.controller.abort();
      return;
    }
    this.t += ms;
  }
}

export interface FakeOperation {
  id: string;
  /** Undefined for the managed cluster. */
  pool?: string;
  /** The provisioning state the resource shows while it runs (Upgrading, Scaling, …). */
  verb: string;
  startMs: number;
  endMs: number;
  /** How it ends by itself. */
  ends: 'Succeeded' | 'Failed';
  error?: ArmError;
  /** Applied to the fake's state when it succeeds. */
  apply?: () => void;
  startedBy: string;
  /** Set by an abort: Canceling until then, Canceled after. */
  cancelAt?: number;
}

interface FakePool {
  name: string;
  mode: 'System' | 'User';
  count: number;
  orchestratorVersion: string;
  currentOrchestratorVersion: string;
  nodeImageVersion: string;
  lastState: string;
}

export interface Call {
  at: number;
  method: string;
  args: unknown[];
}

const NEWEST_IMAGE = 'AKSUbuntu-2204gen2containerd-202611.01.0';

export class FakeAks implements AksApi {
  readonly clock: VirtualClock;
  readonly calls: Call[] = [];
  readonly operations: FakeOperation[] = [];
  kubernetesVersion = '1.34.2';
  currentKubernetesVersion = '1.34.2';
  clusterLastState = 'Succeeded';
  powerState: 'Running' | 'Stopped' = 'Running';
  readonly pools: FakePool[] = [pool('system', 'System', 3), pool('user', 'User', 2)];
  /** How long an operation this fake starts for a write runs. */
  writeDurationMs = 60_000;
  /** How long an abort takes to reach Canceled. */
  cancelDurationMs = 10_000;
  /** Retry-After the operation-status answers carry (seconds), if any. */
  statusRetryAfterSeconds: number | undefined;
  /** Scripted failure of the next operation a write starts. */
  failNextWrite: ArmError | undefined;
  private nextId = 1;

  constructor(clock = new VirtualClock()) {
    this.clock = clock;
  }

  // --- scripting ---------------------------------------------------------------------------

  /** Starts an operation as another actor would; it ends `durationMs` of virtual time later. */
  begin(o: {
    pool?: string;
    verb?: string;
    durationMs?: number;
    ends?: 'Succeeded' | 'Failed';
    error?: ArmError;
    startedAgoMs?: number;
    canceling?: boolean;
  }): FakeOperation {
    const now = this.clock.now();
    const startMs = now - (o.startedAgoMs ?? 0);
    const op: FakeOperation = {
      id: this.id(),
      ...(o.pool ? { pool: o.pool } : {}),
      verb: o.verb ?? 'Upgrading',
      startMs,
      endMs: now + (o.durationMs ?? 120_000),
      ends: o.ends ?? 'Succeeded',
      ...(o.error ? { error: o.error } : {}),
      startedBy: 'another pipeline',
      ...(o.canceling ? { cancelAt: now + this.cancelDurationMs } : {}),
    };
    this.operations.push(op);
    return op;
  }

  /** Leaves the cluster (or a pool) Failed by an operation that failed with `error`. */
  failed(o: { pool?: string; error: ArmError }): FakeOperation {
    const op = this.begin({ ...o, durationMs: 0, ends: 'Failed', startedAgoMs: 60_000 });
    op.endMs = this.clock.now() - 1;
    this.settle();
    return op;
  }

  // --- views -------------------------------------------------------------------------------

  statusOf(op: FakeOperation, now = this.clock.now()): string {
    if (op.cancelAt !== undefined) return now >= op.cancelAt ? 'Canceled' : 'Canceling';
    return now >= op.endMs ? op.ends : 'InProgress';
  }

  private active(now = this.clock.now()): FakeOperation[] {
    return this.operations.filter((o) => !isTerminal(this.statusOf(o, now)));
  }

  /** Applies what ended operations did, and their end states. */
  private settle(): void {
    const now = this.clock.now();
    for (const op of this.operations) {
      const status = this.statusOf(op, now);
      if (!isTerminal(status) || (op as { settled?: boolean }).settled) continue;
      (op as { settled?: boolean }).settled = true;
      if (status === 'Succeeded') op.apply?.();
      if (op.pool) this.poolNamed(op.pool).lastState = status;
      else this.clusterLastState = status;
    }
  }

  private stateOf(pool?: string): string {
    const now = this.clock.now();
    const active = this.active(now);
    const own = active.find((o) => (pool ? o.pool === pool : o.pool === undefined));
    if (own) return own.cancelAt !== undefined ? 'Canceling' : own.verb;
    if (pool) {
      const clusterOp = active.find((o) => o.pool === undefined);
      if (clusterOp) return clusterOp.verb;
      return this.poolNamed(pool).lastState;
    }
    return this.clusterLastState;
  }

  private poolNamed(name: string): FakePool {
    const p = this.pools.find((x) => x.name === name);
    if (!p) throw new AksError({ code: 'NotFound', message: `Agent pool ${name} not found.` }, 404);
    return p;
  }

  private poolView(p: FakePool): PoolView {
    return {
      name: p.name,
      mode: p.mode,
      provisioningState: this.stateOf(p.name),
      powerState: this.powerState,
      count: p.count,
      enableAutoScaling: false,
      orchestratorVersion: p.orchestratorVersion,
      currentOrchestratorVersion: p.currentOrchestratorVersion,
      nodeImageVersion: p.nodeImageVersion,
      osType: 'Linux',
      vmSize: 'Standard_D4s_v5',
    };
  }

  private model(): ManagedCluster {
    return {
      location: 'eastus',
      kubernetesVersion: this.kubernetesVersion,
      agentPoolProfiles: this.pools.map((p) => ({
        name: p.name,
        mode: p.mode,
        count: p.count,
        orchestratorVersion: p.orchestratorVersion,
      })),
    };
  }

  private record(method: string, args: unknown[]): void {
    this.calls.push({ at: this.clock.now(), method, args });
    this.settle();
  }

  private id(): string {
    return `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
  }

  /** The calls of this method, in order. */
  called(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Writes and aborts this run sent. */
  writes(): string[] {
    return this.calls
      .filter((c) =>
        ['putCluster', 'putPool', 'start', 'stop', 'upgradeNodeImage', 'abort'].includes(c.method),
      )
      .map((c) =>
        c.args[0] !== undefined && typeof c.args[0] === 'string'
          ? `${c.method} ${c.args[0]}`
          : c.method,
      );
  }

  // --- AksApi ------------------------------------------------------------------------------

  async getCluster(): Promise<ClusterView> {
    this.record('getCluster', []);
    return {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-fake',
      name: 'aks-fake',
      location: 'eastus',
      provisioningState: this.stateOf(),
      powerState: this.powerState,
      kubernetesVersion: this.kubernetesVersion,
      currentKubernetesVersion: this.currentKubernetesVersion,
      eTag: `"${this.calls.length}"`,
      pools: this.pools.map((p) => this.poolView(p)),
      model: this.model(),
    };
  }

  async getPool(name: string): Promise<PoolView & { eTag?: string; model: AgentPool }> {
    this.record('getPool', [name]);
    const p = this.poolNamed(name);
    return {
      ...this.poolView(p),
      eTag: `"${this.calls.length}"`,
      model: { count: p.count, orchestratorVersion: p.orchestratorVersion, mode: p.mode },
    };
  }

  async upgradeProfile(): Promise<UpgradeProfile> {
    this.record('upgradeProfile', []);
    const upgrades = [
      { version: '1.34.4', isPreview: false },
      { version: '1.35.3', isPreview: false },
    ];
    return {
      controlPlane: { version: this.currentKubernetesVersion, upgrades },
      pools: this.pools.map((p) => ({
        name: p.name,
        version: p.currentOrchestratorVersion,
        upgrades: upgrades.filter((u) => u.version <= this.currentKubernetesVersion),
      })),
    };
  }

  async latestNodeImage(pool: string): Promise<string | undefined> {
    this.record('latestNodeImage', [pool]);
    return NEWEST_IMAGE;
  }

  async operation(id: string, pool?: string): Promise<OperationStatus | undefined> {
    this.record('operation', [id, pool]);
    const op =
      id === 'latest'
        ? this.operations.filter((o) => (pool ? o.pool === pool : o.pool === undefined)).at(-1)
        : this.operations.find((o) => o.id === id);
    return op ? this.status(op) : undefined;
  }

  async asyncStatus(url: string): Promise<OperationStatus> {
    this.record('asyncStatus', [url]);
    const op = this.operations.find((o) => url.endsWith(o.id));
    if (!op) throw new AksError({ code: 'NotFound', message: 'No such operation.' }, 404);
    return this.status(op);
  }

  private status(op: FakeOperation): OperationStatus {
    const now = this.clock.now();
    const status = this.statusOf(op, now);
    const span = Math.max(1, op.endMs - op.startMs);
    return {
      id: op.id,
      status,
      ...(isTerminal(status)
        ? {}
        : { percentComplete: Math.min(99, Math.floor(((now - op.startMs) / span) * 100)) }),
      startTime: new Date(op.startMs),
      subOperationType: op.verb,
      ...(status === 'Failed' && op.error ? { error: op.error } : {}),
      ...(this.statusRetryAfterSeconds !== undefined
        ? { retryAfterSeconds: this.statusRetryAfterSeconds }
        : {}),
    };
  }

  private blocked(pool?: string): FakeOperation | undefined {
    const active = this.active();
    return (
      active.find((o) => o.pool === undefined) ??
      (pool === undefined ? active[0] : active.find((o) => o.pool === pool))
    );
  }

  private startWrite(pool: string | undefined, verb: string, apply: () => void): WriteAccepted {
    const busy = this.blocked(pool);
    if (busy)
      throw new AksError(
        {
          code: 'OperationNotAllowed',
          message: `Operation is not allowed: Another operation (${busy.verb}) is in progress, please wait for it to finish before starting a new operation.`,
        },
        409,
      );
    const now = this.clock.now();
    const failure = this.failNextWrite;
    this.failNextWrite = undefined;
    const op: FakeOperation = {
      id: this.id(),
      ...(pool ? { pool } : {}),
      verb,
      startMs: now,
      endMs: now + this.writeDurationMs,
      ends: failure ? 'Failed' : 'Succeeded',
      ...(failure ? { error: failure } : {}),
      apply,
      startedBy: 'this run',
    };
    this.operations.push(op);
    return {
      status: 200,
      operationId: op.id,
      statusUrl: `https://management.azure.com/subscriptions/s/providers/Microsoft.ContainerService/locations/eastus/operations/${op.id}`,
    };
  }

  async putCluster(model: ManagedCluster): Promise<WriteAccepted> {
    this.record('putCluster', []);
    const version = model.kubernetesVersion ?? this.kubernetesVersion;
    const upgrading = version !== this.currentKubernetesVersion;
    this.kubernetesVersion = version;
    return this.startWrite(undefined, upgrading ? 'Upgrading' : 'Updating', () => {
      this.currentKubernetesVersion = version;
      for (const p of model.agentPoolProfiles ?? []) {
        const pool = this.poolNamed(p.name);
        if (p.orchestratorVersion) {
          pool.orchestratorVersion = p.orchestratorVersion;
          pool.currentOrchestratorVersion = p.orchestratorVersion;
        }
      }
    });
  }

  async putPool(name: string, model: AgentPool): Promise<WriteAccepted> {
    this.record('putPool', [name]);
    const p = this.poolNamed(name);
    const count = model.count ?? p.count;
    const version = model.orchestratorVersion ?? p.orchestratorVersion;
    const verb =
      version !== p.currentOrchestratorVersion
        ? 'Upgrading'
        : count !== p.count
          ? 'Scaling'
          : 'Updating';
    const accepted = this.startWrite(name, verb, () => {
      p.currentOrchestratorVersion = version;
    });
    p.count = count;
    p.orchestratorVersion = version;
    return accepted;
  }

  async start(): Promise<WriteAccepted> {
    this.record('start', []);
    return this.startWrite(undefined, 'Starting', () => (this.powerState = 'Running'));
  }

  async stop(): Promise<WriteAccepted> {
    this.record('stop', []);
    return this.startWrite(undefined, 'Stopping', () => (this.powerState = 'Stopped'));
  }

  async upgradeNodeImage(pool: string): Promise<WriteAccepted> {
    this.record('upgradeNodeImage', [pool]);
    const p = this.poolNamed(pool);
    return this.startWrite(
      pool,
      'UpgradingNodeImageVersion',
      () => (p.nodeImageVersion = NEWEST_IMAGE),
    );
  }

  async abort(pool?: string): Promise<WriteAccepted> {
    this.record('abort', [pool]);
    const target = this.active().find((o) => (pool ? o.pool === pool : o.pool === undefined));
    if (!target)
      throw new AksError(
        {
          code: 'OperationNotAllowed',
          message: 'There is no operation in progress to abort.',
        },
        409,
      );
    target.cancelAt ??= this.clock.now() + this.cancelDurationMs;
    return { status: 202, operationId: target.id };
  }

  async runCommand(): Promise<WriteAccepted> {
    this.record('runCommand', []);
    return { status: 202, operationId: this.id() };
  }

  async commandResult(): Promise<CommandResult | undefined> {
    this.record('commandResult', []);
    return { provisioningState: 'Succeeded', exitCode: 0, logs: 'ok\n' };
  }
}

function pool(name: string, mode: 'System' | 'User', count: number): FakePool {
  return {
    name,
    mode,
    count,
    orchestratorVersion: '1.34.2',
    currentOrchestratorVersion: '1.34.2',
    nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202610.01.0',
    lastState: 'Succeeded',
  };
}

/** Settings as the Action would parse them from these inputs (cluster aks-fake in rg). */
export function settingsOf(inputs: Record<string, string>): Settings {
  const all: Record<string, string> = {
    'subscription-id': '00000000-0000-0000-0000-000000000001',
    'resource-group': 'rg',
    'cluster-name': 'aks-fake',
    'auth-type': 'azure-cli',
    ...inputs,
  };
  return parseSettings({ get: (n) => all[n] ?? '', env: {}, defaultAuthType: 'azure-cli' })
    .settings;
}
