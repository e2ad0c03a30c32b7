/**
 * What a simulated cluster's API server shows, derived afresh from the AKS state on every request:
 * nodes follow each pool (count, version, node image, power state; the node being drained by a
 * running upgrade is cordoned), pods come from the scenario's workloads (and AKS's own kube-system
 * ones), PodDisruptionBudgets get the status the disruption controller would give them.
 */
import { createHash } from 'node:crypto';
import type { AksEngine } from '../aks/engine.ts';
import type { ClusterState, Operation, PoolState } from '../aks/model.ts';
import type { KubernetesSpec, PdbSpec, WorkloadSpec } from './schema.ts';

export type KubeObject = Record<string, unknown> & {
  metadata: Record<string, unknown> & { name: string; namespace?: string };
};

export interface KubeWorld {
  nodes: KubeObject[];
  pods: KubeObject[];
  podDisruptionBudgets: KubeObject[];
  namespaces: KubeObject[];
}

/** The digits AKS puts in a pool's node names; the simulator's error messages use the same. */
export const DEFAULT_VMSS_ID = '12345678';

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** A stable UUID for an object, so repeated lists show the same uid. */
function uid(...parts: string[]): string {
  const h = hash(...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ALPHANUM = 'bcdfghjklmnpqrstvwxz2456789';
/** Kubernetes' generateName suffix alphabet (no vowels, no 0/1/3). */
function suffix(length: number, ...parts: string[]): string {
  const h = Buffer.from(hash(...parts), 'hex');
  return Array.from({ length }, (_, i) => ALPHANUM[h[i]! % ALPHANUM.length]).join('');
}

function base36(n: number, width: number): string {
  return n.toString(36).padStart(width, '0');
}

interface NodeModel {
  name: string;
  pool: PoolState;
  index: number;
  kubeletVersion: string;
  nodeImageVersion: string;
  unschedulable: boolean;
  address: string;
  /** The node's place in the whole cluster (its address and pod CIDR follow from it). */
  ordinal: number;
}

/** The node a running upgrade of `pool` is draining, and what the nodes before it already run. */
function drainOf(
  pool: PoolState,
  ops: Operation[],
  engine: AksEngine,
  nodes: number,
): { index: number; version?: string; image?: string } | undefined {
  for (const op of ops) {
    if (op.status !== 'InProgress') continue;
    if (op.kind !== 'upgrade' && op.kind !== 'upgrade-node-image') continue;
    const at = op.stages.findIndex((s) => !s.done);
    const stage = op.stages[at];
    if (!stage || stage.target.toLowerCase() !== pool.name.toLowerCase()) continue;
    const from = at > 0 ? op.stages[at - 1]!.untilPercent : 0;
    const span = Math.max(1, stage.untilPercent - from);
    const f = Math.min(0.999, Math.max(0, (engine.percentComplete(op) - from) / span));
    return {
      index: Math.min(nodes - 1, Math.floor(f * nodes)),
      ...(stage.orchestratorVersion ? { version: stage.orchestratorVersion } : {}),
      ...(stage.nodeImageVersion ? { image: stage.nodeImageVersion } : {}),
    };
  }
  return undefined;
}

function nodeName(pool: PoolState, vmssId: string, index: number): string {
  // Windows computer names are at most 15 characters: a prefix and the instance in base 36.
  if (pool.osType === 'Windows') return `aks${pool.name.slice(0, 6)}${base36(index, 6)}`;
  return `aks-${pool.name}-${vmssId}-vmss${base36(index, 6)}`;
}

function nodeModels(cluster: ClusterState, engine: AksEngine, spec: KubernetesSpec): NodeModel[] {
  if (cluster.powerState === 'Stopped') return [];
  const ops = engine.activeOperations(cluster);
  const out: NodeModel[] = [];
  let ordinal = 0;
  for (const pool of cluster.pools) {
    if (pool.powerState === 'Stopped') continue;
    const n = pool.readyNodes ?? pool.count;
    const drain = n > 0 ? drainOf(pool, ops, engine, n) : undefined;
    const vmssId = spec.vmssIds[pool.name] ?? DEFAULT_VMSS_ID;
    for (let i = 0; i < n; i++) {
      const upgraded = drain !== undefined && i < drain.index;
      out.push({
        name: nodeName(pool, vmssId, i),
        pool,
        index: i,
        kubeletVersion: `v${(upgraded && drain.version) || pool.currentOrchestratorVersion}`,
        nodeImageVersion: (upgraded && drain.image) || pool.nodeImageVersion,
        unschedulable: drain !== undefined && i === drain.index,
        address: `10.224.${Math.floor(ordinal / 250)}.${4 + (ordinal % 250)}`,
        ordinal,
      });
      ordinal += 1;
    }
  }
  return out;
}

function cpuAndMemory(vmSize: string): { cpu: number; memoryGi: number } {
  const m = /_[A-Z]+?(\d+)/i.exec(vmSize);
  const cpu = m ? Number(m[1]) : 4;
  return { cpu, memoryGi: cpu * 4 };
}

function osImage(pool: PoolState): string {
  if (pool.osType === 'Windows') return 'Windows Server 2022 Datacenter';
  if (/azurelinux|mariner/i.test(pool.osSKU)) return 'Microsoft Azure Linux 3.0';
  return /2404/.test(pool.nodeImageVersion) ? 'Ubuntu 24.04.2 LTS' : 'Ubuntu 22.04.5 LTS';
}

function nodeTaints(pool: PoolState): { key: string; value?: string; effect: string }[] {
  const raw = pool.extra.nodeTaints;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((t) => {
    const m = typeof t === 'string' ? /^([^=:]+)(?:=([^:]*))?:(\w+)$/.exec(t) : null;
    return m ? [{ key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3]! }] : [];
  });
}

function nodeObject(c: ClusterState, n: NodeModel, created: string, now: string): KubeObject {
  const { pool } = n;
  const os = pool.osType === 'Windows' ? 'windows' : 'linux';
  const size = cpuAndMemory(pool.vmSize);
  const extraLabels =
    pool.extra.nodeLabels && typeof pool.extra.nodeLabels === 'object'
      ? (pool.extra.nodeLabels as Record<string, string>)
      : {};
  const taints: Record<string, unknown>[] = nodeTaints(pool);
  if (n.unschedulable)
    taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: now });
  const vmss = n.name.replace(/vmss[0-9a-z]{6}$/, 'vmss');
  const capacity = {
    cpu: String(size.cpu),
    'ephemeral-storage': '129886128Ki',
    memory: `${size.memoryGi * 1024 * 1024}Ki`,
    pods: String(pool.maxPods),
  };
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: created,
    reason,
    message,
  });
  return {
    metadata: {
      name: n.name,
      uid: uid(c.name, 'node', n.name),
      resourceVersion: String(1000 + n.index),
      creationTimestamp: created,
      labels: {
        agentpool: pool.name,
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/instance-type': pool.vmSize,
        'beta.kubernetes.io/os': os,
        'failure-domain.beta.kubernetes.io/region': c.location,
        'failure-domain.beta.kubernetes.io/zone': '0',
        'kubernetes.azure.com/agentpool': pool.name,
        'kubernetes.azure.com/cluster': c.nodeResourceGroup,
        'kubernetes.azure.com/mode': pool.mode.toLowerCase(),
        'kubernetes.azure.com/node-image-version': n.nodeImageVersion,
        'kubernetes.azure.com/os-sku': pool.osSKU,
        'kubernetes.azure.com/role': 'agent',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': os,
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        'node.kubernetes.io/instance-type': pool.vmSize,
        'topology.kubernetes.io/region': c.location,
        'topology.kubernetes.io/zone': '0',
        ...extraLabels,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: `10.244.${n.ordinal % 256}.0/24`,
      podCIDRs: [`10.244.${n.ordinal % 256}.0/24`],
      providerID: `azure:///subscriptions/${c.subscriptionId}/resourceGroups/${c.nodeResourceGroup.toLowerCase()}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmss}/virtualMachines/${n.index}`,
      ...(taints.length ? { taints } : {}),
      ...(n.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      capacity,
      allocatable: { ...capacity, cpu: `${size.cpu * 1000 - 140}m` },
      conditions: [
        condition(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        condition(
          'DiskPressure',
          'False',
          'KubeletHasNoDiskPressure',
          'kubelet has no disk pressure',
        ),
        condition(
          'PIDPressure',
          'False',
          'KubeletHasSufficientPID',
          'kubelet has sufficient PID available',
        ),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: n.address },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hash(n.name, 'machine').slice(0, 32),
        systemUUID: uid(n.name, 'system'),
        bootID: uid(n.name, 'boot', n.kubeletVersion),
        kernelVersion: os === 'linux' ? '5.15.0-1089-azure' : '10.0.20348.3932',
        osImage: osImage(pool),
        containerRuntimeVersion: 'containerd://1.7.27-1',
        kubeletVersion: n.kubeletVersion,
        kubeProxyVersion: n.kubeletVersion,
        operatingSystem: os,
        architecture: 'amd64',
      },
    },
  };
}

interface PodModel {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  node?: NodeModel;
  ready: boolean;
  image: string;
  owner?: { apiVersion: string; kind: string; name: string };
  nodeSelector?: Record<string, string>;
  /** The workload's scale, for a PDB's expected pods. */
  controller?: string;
}

const SYSTEM_WORKLOADS: (WorkloadSpec & { system?: boolean })[] = [
  {
    namespace: 'kube-system',
    name: 'coredns',
    kind: 'Deployment',
    replicas: 2,
    labels: { 'k8s-app': 'kube-dns' },
    image: 'mcr.microsoft.com/oss/v2/kubernetes/coredns:v1.12.1-1',
  },
  {
    namespace: 'kube-system',
    name: 'coredns-autoscaler',
    kind: 'Deployment',
    replicas: 1,
    labels: { 'k8s-app': 'coredns-autoscaler' },
    image:
      'mcr.microsoft.com/oss/v2/kubernetes/autoscaler/cluster-proportional-autoscaler:v1.9.0-1',
  },
  {
    namespace: 'kube-system',
    name: 'konnectivity-agent',
    kind: 'Deployment',
    replicas: 2,
    labels: { app: 'konnectivity-agent' },
    image: 'mcr.microsoft.com/oss/v2/kubernetes/apiserver-network-proxy/agent:v0.30.3-1',
  },
  {
    namespace: 'kube-system',
    name: 'metrics-server',
    kind: 'Deployment',
    replicas: 2,
    labels: { 'k8s-app': 'metrics-server' },
    image: 'mcr.microsoft.com/oss/v2/kubernetes/metrics-server:v0.7.2-1',
  },
  {
    namespace: 'kube-system',
    name: 'kube-proxy',
    kind: 'DaemonSet',
    replicas: 0,
    labels: { component: 'kube-proxy', tier: 'node' },
    image: 'mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.34.2',
  },
  {
    namespace: 'kube-system',
    name: 'cloud-node-manager',
    kind: 'DaemonSet',
    replicas: 0,
    labels: { 'k8s-app': 'cloud-node-manager' },
    image: 'mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager:v1.34.1',
  },
  {
    namespace: 'kube-system',
    name: 'azure-ip-masq-agent',
    kind: 'DaemonSet',
    replicas: 0,
    labels: { 'k8s-app': 'azure-ip-masq-agent', tier: 'node' },
    image: 'mcr.microsoft.com/aks/ip-masq-agent-v2:v0.1.15',
  },
  {
    namespace: 'kube-system',
    name: 'csi-azuredisk-node',
    kind: 'DaemonSet',
    replicas: 0,
    labels: { app: 'csi-azuredisk-node' },
    image: 'mcr.microsoft.com/oss/v2/kubernetes-csi/azuredisk-csi:v1.33.2',
  },
];

const SYSTEM_PDBS: PdbSpec[] = [
  {
    namespace: 'kube-system',
    name: 'coredns-pdb',
    maxUnavailable: 1,
    selector: { 'k8s-app': 'kube-dns' },
  },
  {
    namespace: 'kube-system',
    name: 'konnectivity-agent',
    minAvailable: 1,
    selector: { app: 'konnectivity-agent' },
  },
  {
    namespace: 'kube-system',
    name: 'metrics-server-pdb',
    minAvailable: 1,
    selector: { 'k8s-app': 'metrics-server' },
  },
];

function podModels(
  cluster: ClusterState,
  nodes: NodeModel[],
  spec: KubernetesSpec,
): { pods: PodModel[]; scale: Map<string, number> } {
  const pods: PodModel[] = [];
  const scale = new Map<string, number>();
  const system = cluster.pools.filter((p) => p.mode === 'System');
  const firstUser = cluster.pools.find((p) => p.mode === 'User') ?? cluster.pools[0];
  const workloads = [
    ...(spec.systemWorkloads ? SYSTEM_WORKLOADS.map((w) => ({ ...w, system: true })) : []),
    ...spec.workloads.map((w) => ({ ...w, system: false })),
  ];
  for (const w of workloads) {
    const labels = w.labels ?? { app: w.name };
    const linux = nodes.filter((n) => n.pool.osType !== 'Windows');
    const eligible =
      w.kind === 'DaemonSet'
        ? w.system
          ? linux
          : nodes.filter((n) => !w.pool || n.pool.name === w.pool)
        : w.system
          ? nodes.filter((n) => system.length === 0 || system.includes(n.pool))
          : nodes.filter((n) => n.pool.name === (w.pool ?? firstUser?.name));
    const replicas = w.kind === 'DaemonSet' ? eligible.length : w.replicas;
    const ready = Math.min(replicas, w.readyReplicas ?? replicas);
    const controller = `${w.namespace}/${w.kind}/${w.name}`;
    scale.set(controller, replicas);
    const templateHash = w.templateHash ?? suffix(10, w.namespace, w.name, 'template');
    for (let i = 0; i < replicas; i++) {
      const node =
        w.kind === 'DaemonSet' ? eligible[i] : eligible[i % Math.max(1, eligible.length)];
      const generated =
        w.kind === 'StatefulSet'
          ? `${w.name}-${i}`
          : w.kind === 'DaemonSet'
            ? `${w.name}-${suffix(5, w.name, node?.name ?? String(i))}`
            : `${w.name}-${templateHash}-${suffix(5, w.name, String(i))}`;
      const owner =
        w.kind === 'Deployment'
          ? { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${w.name}-${templateHash}` }
          : { apiVersion: 'apps/v1', kind: w.kind, name: w.name };
      pods.push({
        namespace: w.namespace,
        name: w.podNames?.[i] ?? generated,
        labels: {
          ...labels,
          ...(w.kind === 'Deployment' ? { 'pod-template-hash': templateHash } : {}),
          ...(w.kind === 'StatefulSet'
            ? { 'statefulset.kubernetes.io/pod-name': `${w.name}-${i}` }
            : {}),
        },
        ...(node ? { node } : {}),
        ready: node !== undefined && i < ready,
        image: w.image,
        owner,
        ...(w.system || !w.pool ? {} : { nodeSelector: { agentpool: w.pool } }),
        controller,
      });
    }
  }
  return { pods, scale };
}

function podObject(c: ClusterState, p: PodModel, created: string, index: number): KubeObject {
  const container = p.name.replace(/-[a-z0-9]+(-[a-z0-9]{5})?$/, '') || p.name;
  const ip = `10.244.${(p.node?.ordinal ?? 0) % 256}.${10 + (index % 240)}`;
  const cond = (type: string, status: boolean) => ({
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: created,
    ...(!status && type !== 'PodScheduled'
      ? { reason: 'ContainersNotReady', message: `containers with unready status: [${container}]` }
      : {}),
    ...(!status && type === 'PodScheduled'
      ? {
          reason: 'Unschedulable',
          message: "0/0 nodes are available: no nodes match the pod's node affinity/selector.",
        }
      : {}),
  });
  const scheduled = p.node !== undefined;
  return {
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid: uid(c.name, 'pod', p.namespace, p.name),
      resourceVersion: String(5000 + index),
      creationTimestamp: created,
      labels: p.labels,
      ...(p.owner
        ? {
            ownerReferences: [
              {
                ...p.owner,
                uid: uid(c.name, p.owner.kind, p.namespace, p.owner.name),
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      containers: [
        {
          name: container,
          image: p.image,
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      ...(p.node ? { nodeName: p.node.name } : {}),
      ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}),
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: scheduled ? 'Running' : 'Pending',
      conditions: scheduled
        ? [
            cond('PodReadyToStartContainers', true),
            cond('Initialized', true),
            cond('Ready', p.ready),
            cond('ContainersReady', p.ready),
            cond('PodScheduled', true),
          ]
        : [cond('PodScheduled', false)],
      ...(scheduled
        ? {
            hostIP: p.node!.address,
            podIP: ip,
            podIPs: [{ ip }],
            startTime: created,
            containerStatuses: [
              {
                name: container,
                ready: p.ready,
                restartCount: p.ready ? 0 : 12,
                image: p.image,
                imageID: `${p.image.split(':')[0]}@sha256:${hash(p.image).slice(0, 64)}`,
                containerID: `containerd://${hash(p.namespace, p.name, 'container')}`,
                started: p.ready,
                state: p.ready
                  ? { running: { startedAt: created } }
                  : {
                      waiting: {
                        reason: 'CrashLoopBackOff',
                        message: `back-off 5m0s restarting failed container=${container} pod=${p.name}_${p.namespace}(${uid(c.name, 'pod', p.namespace, p.name)})`,
                      },
                    },
                ...(p.ready
                  ? {}
                  : {
                      lastState: {
                        terminated: {
                          exitCode: 1,
                          reason: 'Error',
                          startedAt: created,
                          finishedAt: created,
                        },
                      },
                    }),
              },
            ],
          }
        : {}),
      qosClass: 'BestEffort',
    },
  };
}

function scaled(value: number | string, expected: number): number {
  if (typeof value === 'number') return value;
  return Math.ceil((Number(value.slice(0, -1)) * expected) / 100);
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function pdbObject(
  c: ClusterState,
  spec: PdbSpec,
  pods: PodModel[],
  scale: Map<string, number>,
  workloads: WorkloadSpec[],
  created: string,
): KubeObject {
  const selector = spec.selector ??
    workloads.find((w) => w.namespace === spec.namespace && w.name === spec.name)?.labels ?? {
      app: spec.name,
    };
  const matched = pods.filter((p) => p.namespace === spec.namespace && matches(selector, p.labels));
  // The disruption controller: an integer minAvailable counts the pods; a percentage or
  // maxUnavailable counts the scale of the controllers that own them.
  const byController =
    typeof spec.minAvailable === 'number'
      ? matched.length
      : [...new Set(matched.map((p) => p.controller ?? p.name))].reduce(
          (sum, k) => sum + (scale.get(k) ?? 1),
          0,
        );
  const expectedPods = byController;
  const currentHealthy = matched.filter((p) => p.ready).length;
  const desiredHealthy =
    spec.minAvailable !== null && spec.minAvailable !== undefined
      ? scaled(spec.minAvailable, expectedPods)
      : Math.max(0, expectedPods - scaled(spec.maxUnavailable!, expectedPods));
  const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
  return {
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      uid: uid(c.name, 'pdb', spec.namespace, spec.name),
      resourceVersion: String(9000),
      generation: 1,
      creationTimestamp: created,
    },
    spec: {
      ...(spec.minAvailable !== null && spec.minAvailable !== undefined
        ? { minAvailable: spec.minAvailable }
        : {}),
      ...(spec.maxUnavailable !== null && spec.maxUnavailable !== undefined
        ? { maxUnavailable: spec.maxUnavailable }
        : {}),
      selector: { matchLabels: selector },
    },
    status: {
      observedGeneration: 1,
      disruptionsAllowed,
      currentHealthy,
      desiredHealthy,
      expectedPods,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: disruptionsAllowed > 0 ? 'True' : 'False',
          reason: disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
          message: '',
          observedGeneration: 1,
          lastTransitionTime: created,
        },
      ],
    },
  };
}

/** Everything the API server lists for `cluster` at this moment (the engine is advanced first). */
export function buildWorld(
  cluster: ClusterState,
  spec: KubernetesSpec,
  engine: AksEngine,
  nowMs: number,
  epochMs: number,
): KubeWorld {
  engine.advance(cluster);
  const now = new Date(nowMs).toISOString().replace(/\.\d+Z$/, 'Z');
  const nodesCreated = new Date(epochMs).toISOString().replace(/\.\d+Z$/, 'Z');
  const podsCreated = new Date(epochMs + 120_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const models = nodeModels(cluster, engine, spec);
  const { pods, scale } = podModels(cluster, models, spec);
  const workloads = [...(spec.systemWorkloads ? SYSTEM_WORKLOADS : []), ...spec.workloads];
  const pdbs = [...(spec.systemWorkloads ? SYSTEM_PDBS : []), ...spec.podDisruptionBudgets];
  const namespaces = [
    ...new Set([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
      ...spec.namespaces,
      ...spec.workloads.map((w) => w.namespace),
      ...spec.podDisruptionBudgets.map((p) => p.namespace),
    ]),
  ];
  return {
    nodes: models.map((n) => nodeObject(cluster, n, nodesCreated, now)),
    pods: pods.map((p, i) => podObject(cluster, p, podsCreated, i)),
    podDisruptionBudgets: pdbs.map((p) =>
      pdbObject(cluster, p, pods, scale, workloads, podsCreated),
    ),
    namespaces: namespaces.map((ns) => ({
      metadata: {
        name: ns,
        uid: uid(cluster.name, 'namespace', ns),
        resourceVersion: '10',
        creationTimestamp: nodesCreated,
        labels: { 'kubernetes.io/metadata.name': ns },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    })),
  };
}
