/** The Settings type every front door produces, the allowed values, and input problems. */
import { respellInputs, SPELLINGS, type Spelling } from '../inputs.ts';

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

// The table of inputs and their spellings per front door live in inputs.ts.
export { INPUT_NAMES, respellInputs, type Spelling } from '../inputs.ts';

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

/** The text of input problems, each input spelled as the front door names it (`spell`). */
export function formatProblems(
  problems: InputProblem[],
  spell: Spelling | ((input: string) => string) = SPELLINGS.action,
): string {
  const name = typeof spell === 'function' ? spell : (input: string) => spell.name(input);
  const label = (p: InputProblem): string =>
    `"${name(p.input)}${p.from ? ` (from ${p.from})` : ''}": ${respellInputs(p.message, spell)}`;
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
