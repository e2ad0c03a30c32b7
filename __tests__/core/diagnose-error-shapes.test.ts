/**
 * The diagnosis of AKS's errors in both shapes: flat, `{ "code", "details", "message", "subcode" }`
 * (what AKS's resource provider sends), and wrapped, `{ "error": {...} }`; as a body, as the SDK's
 * RestError (code and message only), and as the AksError aks-guard builds from either. The same
 * cause comes out; a flat answer's subcode can only add to it (UpgradeBlockedOnDeprecatedAPIUsage
 * under the wrapper code ValidationError), and a subcode that names AKS's handler never decides.
 */
import { describe, expect, test } from '@jest/globals';
import { RestError } from '@azure/core-rest-pipeline';
import { toAksError } from '../../src/core/arm-error.ts';
import { diagnose } from '../../src/core/diagnose/index.ts';

const WAIT =
  'please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details';

interface Flat {
  code: string;
  details: { code: string; message: string }[] | null;
  message: string;
  subcode: string;
  target?: string;
}

const CASES: { name: string; flat: Flat; category: string; code: string; wrappedCode?: string }[] =
  [
    {
      name: 'OperationNotAllowed, pool and verb (Azure/azure-workload-identity#417)',
      flat: {
        code: 'OperationNotAllowed',
        details: null,
        message: `Operation is not allowed: Another operation (nodepool1 - Updating) is in progress, ${WAIT}`,
        subcode: '',
      },
      category: 'operation-in-progress',
      code: 'OperationNotAllowed',
    },
    {
      name: 'OperationNotAllowed with the operation ID (hashicorp/terraform-provider-azurerm#28878)',
      flat: {
        code: 'OperationNotAllowed',
        details: null,
        message:
          "Operation is not allowed because there's an in progress create managed cluster operation (operation ID: e572f837-d693-4e57-8caa-0e158cfe6c0e) on the managed cluster started on UTC 2025-02-27T11:27:05Z. Please wait for it to finish before starting a new operation. You can also use 'az aks operation-abort ...' to abort the ongoing operation.",
        subcode: '',
      },
      category: 'operation-in-progress',
      code: 'OperationNotAllowed',
    },
    {
      name: 'EtagMismatch, its handler subcode not taken for the cause (Azure/terraform-azurerm-aks#604)',
      flat: {
        code: 'EtagMismatch',
        details: [
          {
            code: 'Unspecified',
            message: 'rpc error: code = FailedPrecondition desc = Etag mismatched',
          },
        ],
        message: 'Operation is not allowed: Another operation is in progress',
        subcode: 'PutManagedClusterAndComponents_FailedPrecondition',
      },
      category: 'operation-in-progress',
      code: 'EtagMismatch',
    },
    {
      name: 'ValidationError / UpgradeBlockedOnDeprecatedAPIUsage (learn.microsoft.com, stop-cluster-upgrade-api-breaking-changes)',
      flat: {
        code: 'ValidationError',
        details: null,
        message:
          'Control Plane upgrade is blocked due to recent usage of a Kubernetes API deprecated in the specified version. Please refer to https://kubernetes.io/docs/reference/using-api/deprecation-guide to migrate the usage. To bypass this error, set enable-force-upgrade in upgradeSettings.overrideSettings.',
        subcode: 'UpgradeBlockedOnDeprecatedAPIUsage',
      },
      category: 'deprecated-api-usage',
      code: 'UpgradeBlockedOnDeprecatedAPIUsage',
      // Wrapped there is no subcode: the wrapper code is all there is.
      wrappedCode: 'ValidationError',
    },
    {
      name: 'OperationNotAllowed, an upgrade that skips a minor (rancher/dashboard#11884)',
      flat: {
        code: 'OperationNotAllowed',
        details: null,
        message:
          'Upgrading Kubernetes version 1.28.12 to 1.30.2 is not allowed. Available upgrades: [1.29.7 1.29.6 1.29.5 1.29.4 1.29.2 1.29.0]. Please see https://aka.ms/aks-supported-k8s-ver for version details.',
        subcode: '',
      },
      category: 'version-upgrade-not-allowed',
      code: 'OperationNotAllowed',
    },
    {
      name: 'InsufficientSubnetSize with a target (Azure/AKS-Construction#701)',
      flat: {
        code: 'InsufficientSubnetSize',
        details: null,
        message:
          'Pre-allocated IPs 1280 exceeds IPs available 1024 in Subnet Cidr 10.240.100.0/22, Subnet Name networkProfile.podCIDR.',
        subcode: '',
        target: 'networkProfile.podCIDR',
      },
      category: 'subnet-capacity',
      code: 'InsufficientSubnetSize',
    },
  ];

function wrappedOf(flat: Flat): { error: Record<string, unknown> } {
  const { subcode: _subcode, details, ...rest } = flat;
  return { error: { ...rest, ...(details ? { details } : {}) } };
}

describe.each(CASES)('$name', ({ flat, category, code, wrappedCode }) => {
  const wrapped = wrappedOf(flat);
  const restError = () => new RestError(flat.message, { statusCode: 409, code: flat.code });

  test('the flat body and the wrapped body: the same cause', () => {
    const f = diagnose(flat);
    const w = diagnose(wrapped);
    expect([f.category, f.code]).toEqual([category, code]);
    expect([w.category, w.code]).toEqual([category, wrappedCode ?? code]);
    expect(w.facts).toEqual(f.facts);
  });

  test('the SDK’s RestError (code and message only) and aks-guard’s AksError of each shape', () => {
    expect(diagnose(restError()).category).toBe(category);
    const fromFlat = toAksError(restError(), flat);
    const fromWrapped = toAksError(restError(), wrapped);
    expect([diagnose(fromFlat).category, diagnose(fromFlat).code]).toEqual([category, code]);
    expect([diagnose(fromWrapped).category, diagnose(fromWrapped).code]).toEqual([
      category,
      wrappedCode ?? code,
    ]);
    // What the guard diagnoses: the ArmError it carries.
    expect(diagnose(fromFlat.armError).code).toBe(code);
    expect(diagnose(fromWrapped.armError).code).toBe(wrappedCode ?? code);
  });
});
