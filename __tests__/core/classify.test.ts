/**
 * The classifier on the error corpus's development set (≥ 95% top-1, no known category as
 * `unknown`) and on messages that are not in it: wordings from the AKS troubleshooting articles and
 * the ARM documentation, in the wrappers people meet them in (az, Terraform, ARM deployments, SDKs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { classify } from '../../src/core/diagnose/classify.ts';
import { CATEGORIES, type Category } from '../../src/core/diagnose/types.ts';

interface CorpusEntry {
  id: string;
  code: string;
  message: string;
  category: Category;
}

const corpus: CorpusEntry[] = readFileSync(
  new URL('../fixtures/error-corpus/dev.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as CorpusEntry);

describe('the development set', () => {
  test('is classified at ≥ 95% top-1, and no known category comes out unknown', () => {
    const misses = corpus
      .map((e) => ({
        id: e.id,
        want: e.category,
        got: classify(e.message, e.code || undefined).category,
      }))
      .filter((r) => r.got !== r.want);
    expect(1 - misses.length / corpus.length).toBeGreaterThanOrEqual(0.95);
    expect(misses.filter((m) => m.want !== 'unknown' && m.got === 'unknown')).toEqual([]);
  });

  test('only uses the taxonomy’s ids', () => {
    for (const e of corpus) expect(CATEGORIES).toContain(e.category);
  });
});

const G = '4b2e8f1c-9a3d-4c5e-8f7a-1b2c3d4e5f6a';
const SUB = `/subscriptions/${G}`;

/** [category, code or '', message]: messages written from the documented meaning of each error. */
const HELD_OUT: [Category, string, string][] = [
  [
    'operation-in-progress',
    'OperationNotAllowed',
    `Operation is not allowed because there's an in progress upgrade managed cluster operation (operation ID: ${G}) on the managed cluster started on UTC 2026-11-20T10:00:00Z. Please wait for the operation to complete.`,
  ],
  [
    'operation-in-progress',
    '',
    `(OperationNotAllowed) Operation is not allowed: Another agentpool operation (Scaling) is in progress, please wait for it to finish before starting a new operation.`,
  ],
  [
    'operation-in-progress',
    'OperationNotAllowed',
    'Operation is not allowed: Another operation (Upgrading) is in progress on agent pool nodepool2, please wait for it to finish.',
  ],
  [
    'operation-in-progress',
    'VirtualNetworkNotInSucceededState',
    `Code="VirtualNetworkNotInSucceededState" Message="Virtual network ${SUB}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub is not in succeeded state."`,
  ],
  [
    'operation-preempted',
    '',
    'Code: AKSOperationPreemptedByDelete Message: This operation has been preempted by delete operation.',
  ],
  [
    'operation-preempted',
    'NotLatestOperation',
    'NotLatestOperation: this operation is not the latest operation on the resource and was canceled.',
  ],
  [
    'etag-conflict',
    'PreconditionFailed',
    'PreconditionFailed: The If-Match precondition failed: the ETag of the resource does not match. Read the resource again and retry.',
  ],
  [
    'cluster-failed-state',
    '',
    'The managed cluster aks-prod is in the Failed provisioning state; reconcile it with az aks update before other operations.',
  ],
  [
    'invalid-power-state',
    'OperationNotAllowed',
    "Operation is not allowed since managed cluster is in stopped state. Please start the cluster with 'az aks start' first.",
  ],
  [
    'invalid-power-state',
    '',
    '(BadRequest) Cannot stop the managed cluster: the cluster is already stopped.',
  ],
  [
    'pod-drain-failure',
    'PodDrainFailure',
    'Code: PodDrainFailure Message: Drain node aks-user-12345678-vmss000002 failed when evicting pod web-6f7d9c8b5-abcde failed with Too Many Requests error. This is often caused by a restrictive Pod Disruption Budget (PDB) policy.',
  ],
  [
    'pod-drain-failure',
    '',
    'error when evicting pods/"api-5d4c" -n "shop" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.',
  ],
  [
    'quota-exceeded',
    'QuotaExceeded',
    'Preflight validation check for resource(s) for container service aks in resource group rg failed. Message: Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota. Additional details - Deployment Model: Resource Manager, Location: westeurope, Current Limit: 20, Current Usage: 16, Additional Required: 8, (Minimum) New Limit Required: 24.',
  ],
  [
    'public-ip-limit',
    '',
    'Code="PublicIPCountLimitReached" Message="Cannot create more than 10 public IP addresses for this subscription in this region."',
  ],
  [
    'subnet-capacity',
    '',
    'Code: SubnetIsFull Message: Subnet aks-subnet with address prefix 10.1.0.0/24 does not have enough capacity for 30 IP addresses.',
  ],
  [
    'allocation-failed',
    '',
    'Code="ZonalAllocationFailed" Message="Allocation failed. We do not have sufficient capacity for the requested VM size in this zone."',
  ],
  [
    'allocation-failed',
    'AllocationFailed',
    'Allocation failed. If you are trying to add a new VM to a Virtual Machine Scale Set with a single placement group or update/resize an existing VM in a Virtual Machine Scale Set with a single placement group, please note that such allocation is scoped to a single cluster.',
  ],
  [
    'sku-not-available',
    'SkuNotAvailable',
    "The requested size for resource '/subscriptions/x/resourceGroups/MC_rg/providers/Microsoft.Compute/virtualMachineScaleSets/aks-gpu' is currently not available in location 'westus' zones '1' for subscription 'x'.",
  ],
  [
    'policy-denied',
    'RequestDisallowedByPolicy',
    '{"error":{"code":"RequestDisallowedByPolicy","message":"Resource \'aks-user-vmss\' was disallowed by policy.","additionalInfo":[{"type":"PolicyViolation","info":{"policyAssignmentName":"deny-public-ip","policyAssignmentDisplayName":"Deny public IPs","policyDefinitionDisplayName":"Network interfaces should not have public IPs"}}]}}',
  ],
  [
    'authorization-failed',
    '',
    `Status=403 Code="AuthorizationFailed" Message="The client '${G}' with object id '${G}' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/agentPools/write' over scope '${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks/agentPools/user' or the scope is invalid."`,
  ],
  [
    'provider-not-registered',
    '',
    "(SubscriptionNotRegistered) The subscription is not registered to use namespace 'Microsoft.ContainerService'.",
  ],
  [
    'subscription-disabled',
    '',
    `Code: ReadOnlyDisabledSubscription Message: The subscription '${G}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.`,
  ],
  [
    'resource-locked',
    '',
    `(ScopeLocked) The scope '${SUB}/resourceGroups/MC_rg_aks_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/aks-user' cannot perform delete operation because following scope(s) are locked: '${SUB}/resourceGroups/MC_rg_aks_eastus'. Please remove the lock and try again.`,
  ],
  [
    'service-principal-invalid',
    '',
    "Service principal clientID: 11111111-2222-3333-4444-555555555555 not found in Active Directory tenant. AADSTS700016: Application with identifier '11111111-2222-3333-4444-555555555555' was not found in the directory.",
  ],
  [
    'service-principal-invalid',
    '',
    'AADSTS7000222: The provided client secret keys for app are expired. Visit the Azure portal to create new keys for your app.',
  ],
  [
    'federated-credential',
    '',
    "AADSTS700211: No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com'.",
  ],
  [
    'authentication-failed',
    '',
    'ERROR: AADSTS700082: The refresh token has expired due to inactivity. Please run az login.',
  ],
  [
    'outbound-connectivity',
    'VMExtensionProvisioningError',
    'VM has reported a failure when processing extension \'vmssCSE\'. Error message: "Enable failed: failed to execute command: command terminated with exit status=50" (OutboundConnFailVMExtensionError)',
  ],
  [
    'outbound-connectivity',
    '',
    'Code: K8SDownloadTimeoutVMExtensionError Message: command terminated with exit status=31',
  ],
  [
    'apiserver-connectivity',
    '',
    'K8SAPIServerConnFailVMExtensionError: failed to execute command: command terminated with exit status=51',
  ],
  [
    'apiserver-dns',
    '',
    'Code=K8SAPIServerDNSLookupFailVMExtensionError: command terminated with exit status=52',
  ],
  [
    'node-bootstrap-failed',
    '',
    'VMExtensionProvisioningError: VM has reported a failure when processing extension \'vmssCSE\'. Error message: "Enable failed: failed to execute command: command terminated with exit status=99"',
  ],
  [
    'version-not-supported',
    '',
    'Code="K8sVersionNotSupported" Message="Managed cluster aks is on version 1.25.6, which is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region."',
  ],
  [
    'version-upgrade-not-allowed',
    '',
    '(OperationNotAllowed) Upgrading Kubernetes version 1.33.4 to 1.35.1 is not allowed. Available upgrades: [1.34.2 1.34.1]. Please see https://aka.ms/aks-supported-k8s-ver for version details.',
  ],
  [
    'version-skew',
    '',
    'Code: NodePoolMcVersionIncompatible Message: Node pool version 1.34.0 and control plane version 1.33.2 are incompatible. Minor version of node pool version 34 is bigger than control plane version 33.',
  ],
  [
    'deprecated-api-usage',
    'UpgradeBlockedOnDeprecatedAPIUsage',
    'Control Plane upgrade is blocked due to recent usage of a Kubernetes API deprecated in the specified version.',
  ],
  [
    'node-image-outdated',
    '',
    'The node image version AKSUbuntu-1804gen2containerd-2022.09.13 is too old; upgrade the node image first with az aks nodepool upgrade --node-image-only.',
  ],
  [
    'throttled',
    '',
    "Status=429 Code=\"SubscriptionRequestsThrottled\" Message=\"Number of 'write' requests for subscription exceeded the limit of '1200' for time interval '01:00:00'. Please try again after '12' seconds.\"",
  ],
  [
    'throttled',
    'Throttled',
    'Throttled: AKS is limiting the rate of write requests to this cluster; retry after 60 seconds.',
  ],
  [
    'internal-error',
    '',
    'Code="InternalOperationError" Message="An internal operation failed. Please try again later."',
  ],
  [
    'operation-timeout',
    '',
    'Error: waiting for update of Managed Kubernetes Cluster: context deadline exceeded',
  ],
  [
    'network-config-invalid',
    '',
    'Code: ServiceCidrOverlapExistingSubnetsCidr Message: The specified service CIDR 10.0.0.0/16 is conflicted with an existing subnet CIDR 10.0.0.0/24.',
  ],
  [
    'network-config-invalid',
    '',
    'InvalidParameter: The dnsServiceIP 10.3.0.10 must be within the service CIDR 10.0.0.0/16 (dnsServiceIP outside the service CIDR).',
  ],
  [
    'invalid-resource-reference',
    '',
    `Code="InvalidResourceReference" Message="Resource ${SUB}/resourceGroups/MC_rg/providers/Microsoft.Network/publicIPAddresses/ip1 referenced by resource ${SUB}/resourceGroups/MC_rg/providers/Microsoft.Network/loadBalancers/kubernetes was not found."`,
  ],
  [
    'missing-dependency',
    '',
    'Unable to get log analytics workspace info. Resource ID: /subscriptions/x/resourcegroups/rg/providers/microsoft.operationalinsights/workspaces/ws. Detail: workspace could not be found.',
  ],
  [
    'unsupported-operation',
    '',
    '(AvailabilitySetsNotSupported) Stopping a cluster whose agent pools use availability sets is not supported.',
  ],
  [
    'autoscaler-conflict',
    '',
    'Node pool "user" has the cluster autoscaler on (min 1, max 5 nodes), which owns its node count; AKS refuses a manual scale.',
  ],
  [
    'invalid-parameter',
    '',
    '(InvalidParameter) The value of parameter agentPoolProfile.name is invalid. Agent pool names must be 1-12 lowercase letters and digits.',
  ],
  [
    'run-command-pod-not-started',
    '',
    'Failed to run command: (KubernetesPerformanceError) the command pod in aks-command namespace did not start within 30s.',
  ],
  [
    'run-command-policy-denied',
    '',
    'admission webhook "validation.gatekeeper.sh" denied the request: [azurepolicy-k8sazurev3allowedcapabilities] container <command> is not allowed.',
  ],
  [
    'run-command-forbidden',
    '',
    'Error from server (Forbidden): pods is forbidden: User "sp-123" cannot list resource "pods" in API group "" in the namespace "default"',
  ],
  [
    'run-command-msi',
    '',
    'Failed to connect to MSI. Please make sure MSI is configured correctly. Get Token request returned: <Response [400]>',
  ],
];

describe('messages that are not in the development set', () => {
  test.each(HELD_OUT)('%s ← %#', (category, code, message) => {
    expect(classify(message, code || undefined).category).toBe(category);
  });

  test('every category but unknown has at least one', () => {
    const covered = new Set(HELD_OUT.map((h) => h[0]));
    expect(CATEGORIES.filter((c) => c !== 'unknown' && !covered.has(c))).toEqual([]);
  });

  test('unrelated text is unknown', () => {
    expect(classify('The pipeline step finished with warnings: disk almost full').category).toBe(
      'unknown',
    );
  });
});

describe('inputs of every shape', () => {
  test('an ARM error body with nested details is decided by the inner code', () => {
    const c = classify({
      code: 'DeploymentFailed',
      message: 'At least one resource deployment operation failed.',
      details: [
        {
          code: 'Conflict',
          message: '{"error":{"code":"SubnetIsFull","message":"Subnet s1 is full"}}',
        },
      ],
    });
    expect(c).toMatchObject({ category: 'subnet-capacity', code: 'SubnetIsFull' });
  });

  test('an SDK RestError-like object', () => {
    const err = Object.assign(
      new Error('Operation is not allowed: Another operation (Upgrading) is in progress'),
      {
        code: 'OperationNotAllowed',
        statusCode: 409,
      },
    );
    expect(classify(err).category).toBe('operation-in-progress');
  });

  test('a run-command result', () => {
    expect(
      classify({
        provisioningState: 'Succeeded',
        exitCode: 1,
        logs: 'Error from server (Forbidden): namespaces is forbidden: User "x" cannot list resource "namespaces"',
      }).category,
    ).toBe('run-command-forbidden');
  });
});
