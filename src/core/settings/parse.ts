/** parseSettings: the inputs in sections (the cluster, the operation, the policies, sign-in, cloud). */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import {
  AUTH_TYPES,
  CLOUDS,
  ENVIRONMENTS,
  InputError,
  ON_CANCEL,
  ON_FAILED,
  ON_PENDING,
  ON_TIMEOUT,
  OPERATIONS,
  type Cloud,
  type RawInputs,
  type Settings,
} from './model.ts';
import { InputReader, show } from './reader.ts';

const VERSION = /^\d+\.\d+(\.\d+)?$/;
const POOL = /^[a-z][a-z0-9]{0,11}$/;
const CLUSTER = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;
/** Azure's rule: 1-90 Unicode letters, digits, "_", "(", ")", "-" and ".", not ending with ".". */
const RESOURCE_GROUP = /^[-\p{L}\p{Nd}_.()]{0,89}[-\p{L}\p{Nd}_()]$/u;
/** The user name and password of a URL (`https://user:pass@host`), which must never be echoed. */
const USERINFO = /^((?:[a-z][a-z0-9+.-]*:)?\/\/)?[^/?#]*@/i;
const redact = (url: string): string => url.replace(USERINFO, '$1***@');

export interface ParsedSettings {
  settings: Settings;
  /** Inputs that were given but do not apply to this operation: worth a warning, not a failure. */
  warnings: string[];
}

export function parseSettings(raw: RawInputs): ParsedSettings {
  const r = new InputReader(raw);
  r.operation = r.choice('operation', OPERATIONS, 'check');
  const cluster = readCluster(r);
  const inputs = readOperationInputs(r);
  const policies = readPolicies(r);
  const auth = readAuth(r);
  const cloud = readCloud(r);
  if (r.problems.length > 0) throw new InputError(r.problems);
  return {
    warnings: r.warnings,
    settings: { operation: r.operation, ...cluster, ...inputs, ...policies, auth, cloud },
  };
}

type ClusterInputs = Pick<Settings, 'subscriptionId' | 'resourceGroup' | 'clusterName'>;

function readCluster(r: InputReader): ClusterInputs {
  const subscriptionId = r.guid('subscription-id', 'AZURE_SUBSCRIPTION_ID');
  if (!subscriptionId && !r.reported('subscription-id')) {
    r.bad(
      'subscription-id',
      'is required (or set AZURE_SUBSCRIPTION_ID): the subscription that holds the cluster.',
    );
  }
  const resourceGroup = r.text('resource-group');
  if (resourceGroup === '')
    r.bad('resource-group', 'is required: the resource group of the cluster.');
  // NFC: a letter typed as base letter + combining mark ("u" + U+0308) is still the letter "ü".
  else if (!RESOURCE_GROUP.test(resourceGroup.normalize('NFC'))) {
    r.bad(
      'resource-group',
      `${show(resourceGroup)} is not a resource group name (1-90 letters, digits, "_", "(", ")", "-" and ".", not ending with "."; letters and digits may be any Unicode ones, like "ü").`,
    );
  }
  const clusterName = r.text('cluster-name');
  if (clusterName === '') r.bad('cluster-name', 'is required: the name of the AKS cluster.');
  else if (!CLUSTER.test(clusterName)) {
    r.bad(
      'cluster-name',
      `${show(clusterName)} is not an AKS cluster name (1-63 letters, digits, "-" and "_", starting and ending with a letter or digit).`,
    );
  }
  return { subscriptionId: subscriptionId!, resourceGroup, clusterName };
}

type OperationInputs = Pick<
  Settings,
  'kubernetesVersion' | 'controlPlaneOnly' | 'nodePool' | 'nodeCount' | 'command' | 'files'
>;

function readOperationInputs(r: InputReader): OperationInputs {
  const kubernetesVersion = r.text('kubernetes-version') || undefined;
  if (kubernetesVersion !== undefined && !VERSION.test(kubernetesVersion)) {
    r.bad(
      'kubernetes-version',
      `${show(kubernetesVersion)} is not a Kubernetes version; write it like "1.35" (newest patch) or "1.35.3".`,
    );
  }
  const controlPlaneOnly = r.flag('control-plane-only');
  const nodePool = r.text('node-pool') || undefined;
  if (nodePool !== undefined && !POOL.test(nodePool)) {
    r.bad(
      'node-pool',
      `${show(nodePool)} is not a node pool name (1-12 lowercase letters and digits, starting with a letter).`,
    );
  }
  const nodeCount = readNodeCount(r);
  const command = r.raw.get('command').trim() || undefined;
  const files = readFiles(r);
  const inputs = { kubernetesVersion, controlPlaneOnly, nodePool, nodeCount, command, files };
  checkWhatTheOperationNeeds(r, inputs);
  return {
    ...(kubernetesVersion !== undefined ? { kubernetesVersion } : {}),
    controlPlaneOnly,
    ...(nodePool !== undefined ? { nodePool } : {}),
    ...(nodeCount !== undefined ? { nodeCount } : {}),
    ...(command !== undefined ? { command } : {}),
    files,
  };
}

function readNodeCount(r: InputReader): number | undefined {
  const countText = r.text('node-count');
  if (countText === '') return undefined;
  const nodeCount = Number(countText);
  if (!/^\d+$/.test(countText) || nodeCount > 1000) {
    r.bad(
      'node-count',
      `${show(countText)} is not a node count; use a whole number from 0 to 1000.`,
    );
    return undefined;
  }
  return nodeCount;
}

/** Whether `file` is `root` or inside it (both absolute, symlinks resolved). */
function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!path.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${path.sep}`));
}

/** run-command's files: only what is inside the workspace is sent, symlinks resolved (never /etc/shadow). */
function readFiles(r: InputReader): string[] {
  const workspace = path.resolve(r.raw.workspace || process.cwd());
  const listed = r.raw
    .get('files')
    .split(/[\n,]/)
    .map((f) => f.trim())
    .filter(Boolean);
  const files = listed.map((f) => path.resolve(workspace, f));
  if (r.operation !== 'run-command' || listed.length === 0) return files;
  const allowed = `only files and directories inside the workspace ${show(workspace)} can be sent (relative paths start there)`;
  let root: string;
  try {
    root = realpathSync(workspace);
  } catch {
    r.bad('files', `the workspace ${show(workspace)} does not exist; ${allowed}.`);
    return files;
  }
  listed.forEach((f, i) => {
    const file = files[i]!;
    // Outside by its name alone (/etc/shadow, ../../etc/passwd): refused without looking at it.
    if (!isInside(workspace, file) && !isInside(root, file))
      return r.bad('files', `${show(f)} is outside the workspace; ${allowed}.`);
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      return r.bad('files', `${show(f)} does not exist in the workspace ${show(workspace)}.`);
    }
    if (!isInside(root, real))
      r.bad(
        'files',
        `${show(f)} leads through a symbolic link to ${show(real)}, outside the workspace; ${allowed}.`,
      );
  });
  return files;
}

/** What each operation needs, and what it would ignore. */
function checkWhatTheOperationNeeds(
  r: InputReader,
  i: {
    kubernetesVersion: string | undefined;
    controlPlaneOnly: boolean;
    nodePool: string | undefined;
    nodeCount: number | undefined;
    command: string | undefined;
    files: string[];
  },
): void {
  const op = r.operation;
  if (op === 'upgrade')
    r.need('kubernetes-version', i.kubernetesVersion, 'the version to upgrade to, e.g. "1.35".');
  else r.unused('kubernetes-version', i.kubernetesVersion, 'operation "upgrade"');
  if (op === 'upgrade' && i.controlPlaneOnly && i.nodePool) {
    r.bad(
      'control-plane-only',
      'cannot be combined with "node-pool": upgrade either the control plane only, or one node pool.',
    );
  }
  if (op !== 'upgrade') r.unused('control-plane-only', i.controlPlaneOnly, 'operation "upgrade"');
  if (op === 'scale') {
    r.need('node-pool', i.nodePool, 'the node pool to scale.');
    r.need('node-count', i.nodeCount, 'the number of nodes the pool should have.');
  } else r.unused('node-count', i.nodeCount, 'operation "scale"');
  if (!['upgrade', 'upgrade-node-image', 'scale', 'reconcile', 'abort'].includes(op)) {
    r.unused(
      'node-pool',
      i.nodePool,
      'operations "upgrade", "upgrade-node-image", "scale", "reconcile" and "abort"',
    );
  }
  if (op === 'run-command')
    r.need('command', i.command, 'the command to run in the cluster, e.g. "kubectl get nodes".');
  else {
    r.unused('command', i.command, 'operation "run-command"');
    r.unused('files', i.files, 'operation "run-command"');
  }
}

type Policies = Pick<
  Settings,
  | 'onPending'
  | 'waitTimeoutSeconds'
  | 'abortAfterSeconds'
  | 'onFailed'
  | 'operationTimeoutSeconds'
  | 'onTimeout'
  | 'onCancel'
  | 'dryRun'
  | 'comment'
>;

function readPolicies(r: InputReader): Policies {
  const onPending = r.choice('on-pending', ON_PENDING, 'wait');
  const waitTimeoutSeconds = r.duration('wait-timeout', '60m') ?? 3600;
  const abortAfterSeconds = r.duration('abort-after', undefined);
  if (abortAfterSeconds !== undefined && onPending !== 'abort' && !r.reported('on-pending'))
    r.bad('abort-after', `applies only with on-pending "abort" (it is ${show(onPending)}).`);
  const onFailed = r.choice('on-failed', ON_FAILED, 'fail');
  const operationTimeoutSeconds = r.duration('operation-timeout', '90m') ?? 5400;
  const onTimeout = r.choice('on-timeout', ON_TIMEOUT, 'fail');
  const onCancel = r.choice('on-cancel', ON_CANCEL, 'leave');
  const dryRun = r.flag('dry-run');
  // No token is not an input error: the comment is skipped with a log line, the run goes on.
  const commentOnPr = r.flag('comment-on-pr');
  const githubToken = r.raw.get('github-token').trim() || undefined;
  const op = r.operation;
  if (op === 'check' || op === 'report') {
    if (onPending === 'abort')
      r.bad(
        'on-pending',
        `cannot be "abort" with operation "${op}": ${op} only reads; use "wait" or "fail".`,
      );
    if (onFailed === 'reconcile')
      r.bad(
        'on-failed',
        `cannot be "reconcile" with operation "${op}": ${op} only reads; use "fail".`,
      );
  }
  return {
    onPending,
    waitTimeoutSeconds,
    ...(abortAfterSeconds !== undefined ? { abortAfterSeconds } : {}),
    onFailed,
    operationTimeoutSeconds,
    onTimeout,
    onCancel,
    dryRun,
    comment: { onPr: commentOnPr, ...(githubToken ? { token: githubToken } : {}) },
  };
}

function readAuth(r: InputReader): Settings['auth'] {
  const authType = r.choice('auth-type', AUTH_TYPES, r.raw.defaultAuthType);
  const clientId = r.guid('client-id', 'AZURE_CLIENT_ID');
  const tenantId = r.guid('tenant-id', 'AZURE_TENANT_ID');
  const clientSecret = r.raw.get('client-secret').trim() || undefined;
  if (authType === 'oidc' || authType === 'service-principal') {
    if (!clientId && !r.reported('client-id')) {
      r.bad(
        'client-id',
        `is required with auth-type "${authType}": the application (client) ID of the app registration or user-assigned identity.`,
      );
    }
    if (!tenantId && !r.reported('tenant-id'))
      r.bad(
        'tenant-id',
        `is required with auth-type "${authType}": the Microsoft Entra tenant ID.`,
      );
  }
  if (authType === 'service-principal' && !clientSecret && !r.raw.clientCertificate) {
    r.bad(
      'client-secret',
      'is required with auth-type "service-principal": pass it from a secret, e.g. ${{ secrets.AZURE_CLIENT_SECRET }}.',
    );
  }
  if (authType !== 'service-principal' && clientSecret) {
    r.warnings.push(
      `Input "client-secret" is ignored: it is used only with auth-type "service-principal", and auth-type is "${authType}".`,
    );
  }
  return {
    type: authType,
    ...(clientId !== undefined ? { clientId } : {}),
    ...(tenantId !== undefined ? { tenantId } : {}),
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    ...(r.raw.clientCertificate ? { clientCertificate: r.raw.clientCertificate } : {}),
  };
}

function readCloud(r: InputReader): Cloud {
  const environment = r.choice('environment', ENVIRONMENTS, 'AzureCloud');
  const armEndpoint = r.text('arm-endpoint').replace(/\/+$/, '');
  const authorityHost = r.text('authority-host').replace(/\/+$/, '');
  if (environment !== 'custom') {
    for (const [name, value] of [
      ['arm-endpoint', armEndpoint],
      ['authority-host', authorityHost],
    ] as const)
      if (value)
        r.warnings.push(`Input "${name}" is ignored: it is used only with environment "custom".`);
    return CLOUDS[environment];
  }
  for (const [name, value] of [
    ['arm-endpoint', armEndpoint],
    ['authority-host', authorityHost],
  ] as const) {
    if (value === '')
      r.bad(name, 'is required with environment "custom" (Azure Stack Hub, or a local simulator).');
    else if (USERINFO.test(value))
      r.bad(
        name,
        `${show(redact(value))} has a user name or password in it; give the https:// URL of the endpoint alone, e.g. "https://management.local.azurestack.external".`,
      );
    else if (!/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(value))
      r.bad(name, `${show(value)} is not an https:// URL.`);
  }
  return { name: 'custom', armEndpoint, authorityHost, armScope: `${armEndpoint}/.default` };
}
