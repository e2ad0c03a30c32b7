/**
 * The diagnosis contract: one category per failure (the ids of the error corpus's taxonomy, plus
 * `unknown`), what happened, the facts pulled out of the error, and how to fix it for this cluster.
 */

export const CATEGORIES = [
  'operation-in-progress',
  'operation-preempted',
  'etag-conflict',
  'cluster-failed-state',
  'invalid-power-state',
  'pod-drain-failure',
  'quota-exceeded',
  'public-ip-limit',
  'subnet-capacity',
  'allocation-failed',
  'sku-not-available',
  'policy-denied',
  'authorization-failed',
  'provider-not-registered',
  'subscription-disabled',
  'resource-locked',
  'service-principal-invalid',
  'federated-credential',
  'authentication-failed',
  'outbound-connectivity',
  'apiserver-connectivity',
  'apiserver-dns',
  'node-bootstrap-failed',
  'version-not-supported',
  'version-upgrade-not-allowed',
  'version-skew',
  'deprecated-api-usage',
  'node-image-outdated',
  'throttled',
  'internal-error',
  'operation-timeout',
  'network-config-invalid',
  'invalid-resource-reference',
  'missing-dependency',
  'unsupported-operation',
  'autoscaler-conflict',
  'invalid-parameter',
  'run-command-pod-not-started',
  'run-command-policy-denied',
  'run-command-forbidden',
  'run-command-msi',
  'unknown',
] as const;

export type Category = (typeof CATEGORIES)[number];

/**
 * Facts pulled out of an error, all optional strings so they can be shown and filled into commands:
 * e.g. operationId, startTime, blockingOperation, pool, node, pod, pdb, namespace, quotaLimit,
 * quotaUsage, quotaRequested, vmFamily, location, subnet, neededIps, exitCode, policyAssignment,
 * policyDefinition, action, scope, principal, currentVersion, targetVersion, availableUpgrades,
 * vmSize, zone, lock, provider, aadsts, deprecatedApis.
 */
export type Facts = Record<string, string>;

/** Who and what the diagnosis is about: fills the commands in the remediation steps. */
export interface DiagnosisContext {
  subscriptionId?: string;
  resourceGroup?: string;
  clusterName?: string;
  /** The node pool the run acted on (facts.pool, from the error, wins when present). */
  nodePool?: string;
  /** The Kubernetes version the run asked for, if any. */
  kubernetesVersion?: string;
}

export interface Diagnosis {
  category: Category;
  /** The ARM error code that decided (the inner one, not a wrapper like DeploymentFailed). */
  code: string;
  title: string;
  /** What happened, in one or two sentences, with the facts filled in. */
  summary: string;
  /** Transient: waiting or retrying can help without changing anything. */
  retryable: boolean;
  /** Numbered steps, in order; commands are complete, with this cluster's names. */
  remediation: string[];
  docs: string[];
  facts: Facts;
}

/** What the catalog knows about each category; the classifier supplies the facts. */
export interface CategoryInfo {
  title: string;
  retryable: boolean;
  /** One or two sentences: what happened and why, using the facts when they are known. */
  summary(facts: Facts, names: Names): string;
  /** Ordered steps with complete `az …` / `kubectl …` commands filled in from the names. */
  remediation(facts: Facts, names: Names): string[];
  /** learn.microsoft.com (or aka.ms) links. */
  docs: string[];
}

/**
 * The names commands are filled with: real names when the context or the error gives them,
 * otherwise shell-style placeholders (`$RESOURCE_GROUP`, `$CLUSTER`, `$NODE_POOL`,
 * `$SUBSCRIPTION_ID`) so a command is still complete and copyable.
 */
export interface Names {
  subscriptionId: string;
  resourceGroup: string;
  clusterName: string;
  nodePool: string;
}
