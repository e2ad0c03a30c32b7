/**
 * Every input, parsed and validated in one place before any network call. A bad input gets an
 * error that names it, shows the bad value and says what is allowed; all problems are reported
 * together so a workflow author fixes them in one go.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { DURATION_FORMS, parseDuration } from './duration.ts';

export const OPERATIONS = [
  'check',
  'report',
  'upgrade',
  'upgrade-node-image',
  'scale',
  'start',
  'stop',
  'reconcile',
  'abort',
  'run-command',
] as const;
export const ON_PENDING = ['wait', 'abort', 'fail'] as const;
export const ON_FAILED = ['fail', 'reconcile'] as const;
export const ON_TIMEOUT = ['fail', 'abort'] as const;
export const ON_CANCEL = ['leave', 'abort'] as const;
export const AUTH_TYPES = [
  'oidc',
  'azure-cli',
  'service-principal',
  'managed-identity',
  'default',
] as const;
export const ENVIRONMENTS = [
  'AzureCloud',
  'AzureUSGovernment',
  'AzureChinaCloud',
  'custom',
] as const;

/** Every input, by its kebab-case name (action.yml, the CLI's flags). */
export const INPUT_NAMES = [
  'operation',
  'subscription-id',
  'resource-group',
  'cluster-name',
  'kubernetes-version',
  'control-plane-only',
  'node-pool',
  'node-count',
  'command',
  'files',
  'on-pending',
  'wait-timeout',
  'abort-after',
  'on-failed',
  'operation-timeout',
  'on-timeout',
  'on-cancel',
  'dry-run',
  'comment-on-pr',
  'github-token',
  'auth-type',
  'client-id',
  'tenant-id',
  'client-secret',
  'environment',
  'arm-endpoint',
  'authority-host',
] as const;

export type OperationName = (typeof OPERATIONS)[number];
export type AuthType = (typeof AUTH_TYPES)[number];
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export interface Cloud {
  name: EnvironmentName;
  armEndpoint: string;
  authorityHost: string;
  /** The scope ARM tokens are requested for. */
  armScope: string;
}

export interface Settings {
  operation: OperationName;
  subscriptionId: string;
  resourceGroup: string;
  clusterName: string;
  kubernetesVersion?: string;
  controlPlaneOnly: boolean;
  nodePool?: string;
  nodeCount?: number;
  command?: string;
  files: string[];
  onPending: (typeof ON_PENDING)[number];
  waitTimeoutSeconds: number;
  abortAfterSeconds?: number;
  onFailed: (typeof ON_FAILED)[number];
  operationTimeoutSeconds: number;
  onTimeout: (typeof ON_TIMEOUT)[number];
  onCancel: (typeof ON_CANCEL)[number];
  dryRun: boolean;
  /** The sticky pull-request comment: whether to post it, and the token to post it with. */
  comment: { onPr: boolean; token?: string };
  auth: {
    type: AuthType;
    clientId?: string;
    tenantId?: string;
    clientSecret?: string;
    /** A PEM certificate (and key) instead of a secret: from an Azure DevOps service connection. */
    clientCertificate?: string;
  };
  cloud: Cloud;
}

export const CLOUDS: Record<Exclude<EnvironmentName, 'custom'>, Cloud> = {
  AzureCloud: {
    name: 'AzureCloud',
    armEndpoint: 'https://management.azure.com',
    authorityHost: 'https://login.microsoftonline.com',
    armScope: 'https://management.azure.com/.default',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    armEndpoint: 'https://management.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
    armScope: 'https://management.usgovcloudapi.net/.default',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    armEndpoint: 'https://management.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    armScope: 'https://management.chinacloudapi.cn/.default',
  },
};

/** One bad input. */
export interface InputProblem {
  input: string;
  message: string;
  /** Where the value came from, if not the input: "the environment variable AZURE_CLIENT_ID". */
  from?: string;
}

/**
 * A message with the (hyphenated) inputs it mentions spelled as a front door names them, e.g.
 * `onPending` for the task, `--on-pending` for the CLI. Quoted values are left alone ("rg-dry-run",
 * a path), unless the value is exactly an input's name ("node-pool").
 */
export function respellInputs(text: string, spell: (input: string) => string): string {
  const names: readonly string[] = INPUT_NAMES.filter((n) => n.includes('-'));
  return text.replace(/"(?:[^"\\]|\\.)*"|[^"]+/g, (part) => {
    if (part.startsWith('"'))
      return names.includes(part.slice(1, -1)) ? `"${spell(part.slice(1, -1))}"` : part;
    return names.reduce(
      (out, n) => out.replace(new RegExp(`(?<![-\\w])${n}(?![-\\w])`, 'g'), spell(n)),
      part,
    );
  });
}

/** The text of input problems, each input spelled as the front door names it (`spell`). */
export function formatProblems(
  problems: InputProblem[],
  spell: (input: string) => string = (input) => input,
): string {
  const label = (p: InputProblem): string =>
    `"${spell(p.input)}${p.from ? ` (from ${p.from})` : ''}": ${respellInputs(p.message, spell)}`;
  return problems.length === 1
    ? `Input ${label(problems[0]!)}`
    : `${problems.length} inputs are invalid:\n${problems.map((p) => `- ${label(p)}`).join('\n')}`;
}

export class InputError extends Error {
  readonly problems: InputProblem[];

  constructor(problems: InputProblem[]) {
    super(formatProblems(problems));
    this.name = 'InputError';
    this.problems = problems;
  }
}

/** How the adapter reads one raw input ("" when unset) and the environment. */
export interface RawInputs {
  get(name: string): string;
  env: Record<string, string | undefined>;
  /** The front door's default auth type (oidc on GitHub Actions). */
  defaultAuthType: AuthType;
  /** A service principal's PEM certificate, when the front door has one (not an input). */
  clientCertificate?: string;
  /**
   * The checkout run-command `files` must stay inside (GITHUB_WORKSPACE, Build.SourcesDirectory,
   * the CLI's working directory); relative paths resolve against it. Default: process.cwd().
   */
  workspace?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^\d+\.\d+(\.\d+)?$/;
const POOL = /^[a-z][a-z0-9]{0,11}$/;
const CLUSTER = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;
/** Azure's rule: 1-90 Unicode letters, digits, "_", "(", ")", "-" and ".", not ending with ".". */
const RESOURCE_GROUP = /^[-\p{L}\p{Nd}_.()]{0,89}[-\p{L}\p{Nd}_()]$/u;
const MAX_TIMEOUT_SECONDS = 5 * 24 * 3600;

const show = (v: string): string => JSON.stringify(v);
/** The user name and password of a URL (`https://user:pass@host`), which must never be echoed. */
const USERINFO = /^((?:[a-z][a-z0-9+.-]*:)?\/\/)?[^/?#]*@/i;
const redact = (url: string): string => url.replace(USERINFO, '$1***@');

/** Whether `file` is `root` or inside it (both absolute, symlinks resolved). */
function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!path.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${path.sep}`));
}
const oneOf = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

export interface ParsedSettings {
  settings: Settings;
  /** Inputs that were given but do not apply to this operation: worth a warning, not a failure. */
  warnings: string[];
}

export function parseSettings(raw: RawInputs): ParsedSettings {
  const problems: InputProblem[] = [];
  const warnings: string[] = [];
  const bad = (input: string, message: string): void => void problems.push({ input, message });
  const text = (name: string): string => raw.get(name).trim();

  function choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = text(name);
    if (v === '') return fallback;
    const found = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (!found) bad(name, `${show(v)} is not allowed; use one of ${oneOf(allowed)}.`);
    return found ?? fallback;
  }

  function flag(name: string): boolean {
    const v = text(name);
    if (v === '') return false;
    if (['true', 'True', 'TRUE'].includes(v)) return true;
    if (['false', 'False', 'FALSE'].includes(v)) return false;
    bad(name, `${show(v)} is not a boolean; use "true" or "false".`);
    return false;
  }

  function duration(name: string, fallback: string | undefined): number | undefined {
    const v = text(name) || fallback;
    if (v === undefined) return undefined;
    const seconds = parseDuration(v);
    if (seconds === undefined) {
      bad(name, `${show(v)} is not a duration; write it as ${DURATION_FORMS}.`);
      return undefined;
    }
    if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      bad(name, `${show(v)} is out of range: use a duration from 1s to 5 days (5d).`);
      return undefined;
    }
    return seconds;
  }

  function guid(name: string, envName?: string): string | undefined {
    const given = text(name);
    const v = given || (envName ? (raw.env[envName] ?? '').trim() : '');
    if (v === '') return undefined;
    if (!GUID.test(v)) {
      problems.push({
        input: name,
        message: `${show(v)} is not a GUID like 00000000-0000-0000-0000-000000000000.`,
        ...(given === '' ? { from: `the environment variable ${envName}` } : {}),
      });
    }
    return v;
  }

  const operation = choice('operation', OPERATIONS, 'check');
  const subscriptionId = guid('subscription-id', 'AZURE_SUBSCRIPTION_ID');
  if (!subscriptionId && !problems.some((p) => p.input === 'subscription-id')) {
    bad(
      'subscription-id',
      'is required (or set AZURE_SUBSCRIPTION_ID): the subscription that holds the cluster.',
    );
  }
  const resourceGroup = text('resource-group');
  if (resourceGroup === '')
    bad('resource-group', 'is required: the resource group of the cluster.');
  // NFC: a letter typed as base letter + combining mark ("u" + U+0308) is still the letter "ü".
  else if (!RESOURCE_GROUP.test(resourceGroup.normalize('NFC'))) {
    bad(
      'resource-group',
      `${show(resourceGroup)} is not a resource group name (1-90 letters, digits, "_", "(", ")", "-" and ".", not ending with "."; letters and digits may be any Unicode ones, like "ü").`,
    );
  }
  const clusterName = text('cluster-name');
  if (clusterName === '') bad('cluster-name', 'is required: the name of the AKS cluster.');
  else if (!CLUSTER.test(clusterName)) {
    bad(
      'cluster-name',
      `${show(clusterName)} is not an AKS cluster name (1-63 letters, digits, "-" and "_", starting and ending with a letter or digit).`,
    );
  }

  const kubernetesVersion = text('kubernetes-version') || undefined;
  if (kubernetesVersion !== undefined && !VERSION.test(kubernetesVersion)) {
    bad(
      'kubernetes-version',
      `${show(kubernetesVersion)} is not a Kubernetes version; write it like "1.35" (newest patch) or "1.35.3".`,
    );
  }
  const controlPlaneOnly = flag('control-plane-only');
  const nodePool = text('node-pool') || undefined;
  if (nodePool !== undefined && !POOL.test(nodePool)) {
    bad(
      'node-pool',
      `${show(nodePool)} is not a node pool name (1-12 lowercase letters and digits, starting with a letter).`,
    );
  }
  const countText = text('node-count');
  let nodeCount: number | undefined;
  if (countText !== '') {
    nodeCount = Number(countText);
    if (!/^\d+$/.test(countText) || nodeCount > 1000) {
      bad(
        'node-count',
        `${show(countText)} is not a node count; use a whole number from 0 to 1000.`,
      );
      nodeCount = undefined;
    }
  }
  const command = raw.get('command').trim() || undefined;
  // Only what is inside the workspace is sent to the cluster, symlinks resolved: never /etc/shadow.
  const workspace = path.resolve(raw.workspace || process.cwd());
  const listed = raw
    .get('files')
    .split(/[\n,]/)
    .map((f) => f.trim())
    .filter(Boolean);
  const files = listed.map((f) => path.resolve(workspace, f));
  if (operation === 'run-command' && listed.length > 0) {
    const allowed = `only files and directories inside the workspace ${show(workspace)} can be sent (relative paths start there)`;
    let root: string | undefined;
    try {
      root = realpathSync(workspace);
    } catch {
      bad('files', `the workspace ${show(workspace)} does not exist; ${allowed}.`);
    }
    listed.forEach((f, i) => {
      const file = files[i]!;
      if (root === undefined) return;
      // Outside by its name alone (/etc/shadow, ../../etc/passwd): refused without looking at it.
      if (!isInside(workspace, file) && !isInside(root, file))
        return bad('files', `${show(f)} is outside the workspace; ${allowed}.`);
      let real: string;
      try {
        real = realpathSync(file);
      } catch {
        return bad('files', `${show(f)} does not exist in the workspace ${show(workspace)}.`);
      }
      if (!isInside(root, real)) {
        bad(
          'files',
          `${show(f)} leads through a symbolic link to ${show(real)}, outside the workspace; ${allowed}.`,
        );
      }
    });
  }

  // What each operation needs, and what it would ignore.
  const need = (name: string, value: unknown, why: string): void => {
    // An input already reported as malformed is not reported again as missing.
    if (value === undefined && !problems.some((p) => p.input === name))
      bad(name, `is required with operation "${operation}": ${why}`);
  };
  const unused = (name: string, value: unknown, usedBy: string): void => {
    if (value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0)) {
      warnings.push(
        `Input "${name}" is ignored: it is used only by ${usedBy}, and the operation is "${operation}".`,
      );
    }
  };
  if (operation === 'upgrade')
    need('kubernetes-version', kubernetesVersion, 'the version to upgrade to, e.g. "1.35".');
  else unused('kubernetes-version', kubernetesVersion, 'operation "upgrade"');
  if (operation === 'upgrade' && controlPlaneOnly && nodePool) {
    bad(
      'control-plane-only',
      'cannot be combined with "node-pool": upgrade either the control plane only, or one node pool.',
    );
  }
  if (operation !== 'upgrade')
    unused('control-plane-only', controlPlaneOnly, 'operation "upgrade"');
  if (operation === 'scale') {
    need('node-pool', nodePool, 'the node pool to scale.');
    need('node-count', nodeCount, 'the number of nodes the pool should have.');
  } else unused('node-count', nodeCount, 'operation "scale"');
  if (!['upgrade', 'upgrade-node-image', 'scale', 'reconcile', 'abort'].includes(operation)) {
    unused(
      'node-pool',
      nodePool,
      'operations "upgrade", "upgrade-node-image", "scale", "reconcile" and "abort"',
    );
  }
  if (operation === 'run-command')
    need('command', command, 'the command to run in the cluster, e.g. "kubectl get nodes".');
  else {
    unused('command', command, 'operation "run-command"');
    unused('files', files, 'operation "run-command"');
  }

  const onPending = choice('on-pending', ON_PENDING, 'wait');
  const waitTimeoutSeconds = duration('wait-timeout', '60m') ?? 3600;
  const abortAfterSeconds = duration('abort-after', undefined);
  if (
    abortAfterSeconds !== undefined &&
    onPending !== 'abort' &&
    !problems.some((p) => p.input === 'on-pending')
  ) {
    bad('abort-after', `applies only with on-pending "abort" (it is ${show(onPending)}).`);
  }
  const onFailed = choice('on-failed', ON_FAILED, 'fail');
  const operationTimeoutSeconds = duration('operation-timeout', '90m') ?? 5400;
  const onTimeout = choice('on-timeout', ON_TIMEOUT, 'fail');
  const onCancel = choice('on-cancel', ON_CANCEL, 'leave');
  const dryRun = flag('dry-run');
  // No token is not an input error: the comment is skipped with a log line, the run goes on.
  const commentOnPr = flag('comment-on-pr');
  const githubToken = raw.get('github-token').trim() || undefined;
  if (operation === 'check' || operation === 'report') {
    if (onPending === 'abort')
      bad(
        'on-pending',
        `cannot be "abort" with operation "${operation}": ${operation} only reads; use "wait" or "fail".`,
      );
    if (onFailed === 'reconcile')
      bad(
        'on-failed',
        `cannot be "reconcile" with operation "${operation}": ${operation} only reads; use "fail".`,
      );
  }

  const authType = choice('auth-type', AUTH_TYPES, raw.defaultAuthType);
  const clientId = guid('client-id', 'AZURE_CLIENT_ID');
  const tenantId = guid('tenant-id', 'AZURE_TENANT_ID');
  const clientSecret = raw.get('client-secret').trim() || undefined;
  if (authType === 'oidc' || authType === 'service-principal') {
    if (!clientId && !problems.some((p) => p.input === 'client-id')) {
      bad(
        'client-id',
        `is required with auth-type "${authType}": the application (client) ID of the app registration or user-assigned identity.`,
      );
    }
    if (!tenantId && !problems.some((p) => p.input === 'tenant-id')) {
      bad('tenant-id', `is required with auth-type "${authType}": the Microsoft Entra tenant ID.`);
    }
  }
  if (authType === 'service-principal' && !clientSecret && !raw.clientCertificate) {
    bad(
      'client-secret',
      'is required with auth-type "service-principal": pass it from a secret, e.g. ${{ secrets.AZURE_CLIENT_SECRET }}.',
    );
  }
  if (authType !== 'service-principal' && clientSecret) {
    warnings.push(
      `Input "client-secret" is ignored: it is used only with auth-type "service-principal", and auth-type is "${authType}".`,
    );
  }

  const environment = choice('environment', ENVIRONMENTS, 'AzureCloud');
  const armEndpoint = text('arm-endpoint').replace(/\/+$/, '');
  const authorityHost = text('authority-host').replace(/\/+$/, '');
  let cloud: Cloud;
  if (environment === 'custom') {
    for (const [name, value] of [
      ['arm-endpoint', armEndpoint],
      ['authority-host', authorityHost],
    ] as const) {
      if (value === '')
        bad(name, 'is required with environment "custom" (Azure Stack Hub, or a local simulator).');
      else if (USERINFO.test(value))
        bad(
          name,
          `${show(redact(value))} has a user name or password in it; give the https:// URL of the endpoint alone, e.g. "https://management.local.azurestack.external".`,
        );
      else if (!/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(value))
        bad(name, `${show(value)} is not an https:// URL.`);
    }
    cloud = { name: 'custom', armEndpoint, authorityHost, armScope: `${armEndpoint}/.default` };
  } else {
    cloud = CLOUDS[environment];
    if (armEndpoint)
      warnings.push(`Input "arm-endpoint" is ignored: it is used only with environment "custom".`);
    if (authorityHost)
      warnings.push(
        `Input "authority-host" is ignored: it is used only with environment "custom".`,
      );
  }

  if (problems.length > 0) throw new InputError(problems);
  return {
    warnings,
    settings: {
      operation,
      subscriptionId: subscriptionId!,
      resourceGroup,
      clusterName,
      ...(kubernetesVersion !== undefined ? { kubernetesVersion } : {}),
      controlPlaneOnly,
      ...(nodePool !== undefined ? { nodePool } : {}),
      ...(nodeCount !== undefined ? { nodeCount } : {}),
      ...(command !== undefined ? { command } : {}),
      files,
      onPending,
      waitTimeoutSeconds,
      ...(abortAfterSeconds !== undefined ? { abortAfterSeconds } : {}),
      onFailed,
      operationTimeoutSeconds,
      onTimeout,
      onCancel,
      dryRun,
      comment: { onPr: commentOnPr, ...(githubToken ? { token: githubToken } : {}) },
      auth: {
        type: authType,
        ...(clientId !== undefined ? { clientId } : {}),
        ...(tenantId !== undefined ? { tenantId } : {}),
        ...(clientSecret !== undefined ? { clientSecret } : {}),
        ...(raw.clientCertificate ? { clientCertificate: raw.clientCertificate } : {}),
      },
      cloud,
    },
  };
}
