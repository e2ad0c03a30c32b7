/** Facts pulled out of AKS errors: what the diagnosis fills into its summary and commands. */
import { describe, expect, test } from '@jest/globals';
import { extractFacts } from '../../src/core/diagnose/facts.ts';
import { gatherEvidence } from '../../src/core/diagnose/normalize.ts';

const G = '4b2e8f1c-9a3d-4c5e-8f7a-1b2c3d4e5f6a';
const facts = (input: unknown) => extractFacts(gatherEvidence(input).text);

describe('extractFacts', () => {
  test('the blocking operation, its ID and start time (newer wording)', () => {
    expect(
      facts(
        `Operation is not allowed because there's an in progress upgrade managed cluster operation (operation ID: ${G}) on the managed cluster started on UTC 2026-11-20T10:00:00Z.`,
      ),
    ).toMatchObject({
      blockingOperation: 'upgrade',
      operationId: G,
      startTime: '2026-11-20T10:00:00Z',
    });
    expect(facts('Another agentpool operation (Scaling) is in progress')).toMatchObject({
      blockingOperation: 'Scaling',
    });
  });

  test('the node, its pool, the pod and the PDB of a blocked drain', () => {
    expect(
      facts(
        'Drain node aks-user-31415926-vmss000001 failed when evicting pod checkout-7d9f8b6c5d-x2k4p failed with Too Many Requests error. PDB shop/checkout-pdb has maxunavailble == 0',
      ),
    ).toMatchObject({
      node: 'aks-user-31415926-vmss000001',
      pool: 'user',
      pod: 'checkout-7d9f8b6c5d-x2k4p',
      namespace: 'shop',
      pdb: 'checkout-pdb',
    });
  });

  test('quota numbers and the VM family', () => {
    expect(
      facts(
        'exceeding approved standardDSv5Family Cores quota. Additional details - Deployment Model: Resource Manager, Location: westeurope, Current Limit: 20, Current Usage: 16, Additional Required: 8',
      ),
    ).toMatchObject({
      vmFamily: 'standardDSv5Family',
      location: 'westeurope',
      quotaLimit: '20',
      quotaUsage: '16',
      quotaRequested: '8',
    });
  });

  test('the subnet and the addresses it lacks', () => {
    expect(
      facts(
        'Subnet aks-subnet with address prefix 10.1.0.0/24 does not have enough capacity for 30 IP addresses.',
      ),
    ).toMatchObject({ subnet: 'aks-subnet', subnetPrefix: '10.1.0.0/24', neededIps: '30' });
  });

  test('the missing action, its scope and the principal', () => {
    expect(
      facts(
        `The client '${G}' with object id '${G}' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/write' over scope '/subscriptions/x/resourceGroups/rg' or the scope is invalid.`,
      ),
    ).toMatchObject({
      principal: G,
      action: 'Microsoft.ContainerService/managedClusters/write',
      scope: '/subscriptions/x/resourceGroups/rg',
    });
  });

  test('the policy assignment, from the message or from additionalInfo', () => {
    expect(
      facts(
        `Policy identifiers: '[{"policyAssignment":{"name":"Deny public IPs","id":"/x"},"policyDefinition":{"name":"no-pip"}}]'`,
      ),
    ).toMatchObject({ policyAssignment: 'Deny public IPs', policyDefinition: 'no-pip' });
    expect(
      facts({
        code: 'RequestDisallowedByPolicy',
        message: 'disallowed',
        additionalInfo: [{ type: 'PolicyViolation', info: { policyAssignmentName: 'deny-pip' } }],
      }),
    ).toMatchObject({ policyAssignment: 'deny-pip' });
  });

  test('versions on offer, the CSE exit code, the provider', () => {
    expect(
      facts(
        'Upgrading Kubernetes version 1.33.4 to 1.35.1 is not allowed. Available upgrades: [1.34.2 1.34.1].',
      ),
    ).toMatchObject({
      currentVersion: '1.33.4',
      targetVersion: '1.35.1',
      availableUpgrades: '1.34.2, 1.34.1',
    });
    expect(facts('command terminated with exit status=50')).toMatchObject({ exitCode: '50' });
    expect(facts("not registered to use namespace 'Microsoft.ContainerService'")).toMatchObject({
      provider: 'Microsoft.ContainerService',
    });
  });

  test('placeholders like <subnet-name> are not facts', () => {
    expect(
      facts(
        'Subnet <subnet-name> with address prefix <prefix> does not have enough capacity for 3 IP addresses',
      ),
    ).not.toHaveProperty('subnet');
  });
});

describe('gatherEvidence', () => {
  test('finds codes in every wrapper, outermost first, and not acronyms in parentheses', () => {
    const e = gatherEvidence(
      '{"error":{"code":"DeploymentFailed","details":[{"code":"Conflict","message":"{\\"code\\":\\"SubnetIsFull\\"}"}]}} This is often caused by a Pod Disruption Budget (PDB) policy.',
    );
    expect(e.codes).toEqual(['DeploymentFailed', 'Conflict', 'SubnetIsFull']);
  });
});
