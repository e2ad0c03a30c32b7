/**
 * AKS's error bodies in both shapes: flat, `{ "code", "details", "message", "subcode" }`, as AKS's
 * resource provider sends its own (public pastes below), and wrapped, `{ "error": {...} }`, as ARM
 * sends its own. aks-guard reads the same ArmError out of either, from a body, from the SDK's
 * RestError (whose `details` keeps nothing of a flat answer) and from a core-client style error
 * with the response text, and recognises every wording of "another operation is in progress".
 */
import { describe, expect, test } from '@jest/globals';
import { RestError } from '@azure/core-rest-pipeline';
import { AksError, armErrorFromBody, toAksError } from '../../src/core/arm-error.ts';

const WAIT =
  'please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details';

/** Azure/terraform-azurerm-aks#604, Azure/terraform-provider-azapi#889 (subcode cut in both). */
const ETAG_FLAT = {
  code: 'EtagMismatch',
  details: [
    { code: 'Unspecified', message: 'rpc error: code = FailedPrecondition desc = Etag mismatched' },
  ],
  message: 'Operation is not allowed: Another operation is in progress',
  subcode: 'PutManagedClusterAndComponents_FailedPrecondition',
};

/** microsoft/tyger#121. */
const NEW_POOL_FLAT = {
  code: 'BadRequest',
  details: null,
  message:
    'A new agent pool was introduced. Adding agent pools to an existing cluster is not allowed through managed cluster operations. For agent pool specific change, please use per agent pool operations: https://aka.ms/agent-pool-rest-api',
  subcode: '',
};

/** Azure/AKS-Construction#701: a flat error with a target. */
const SUBNET_FLAT = {
  code: 'InsufficientSubnetSize',
  details: null,
  message:
    'Pre-allocated IPs 1280 exceeds IPs available 1024 in Subnet Cidr 10.240.100.0/22, Subnet Name networkProfile.podCIDR.',
  subcode: '',
  target: 'networkProfile.podCIDR',
};

/** What the modular SDK (@azure/arm-containerservice 25) throws: code and message, nothing else. */
function sdkError(status: number, body: { code: string; message: string }, details?: unknown) {
  const e = new RestError(body.message, { statusCode: status, code: body.code });
  if (details !== undefined) e.details = details;
  return e;
}

describe('armErrorFromBody reads both shapes', () => {
  test('wrapped and flat give the same error; details null is no details, an empty subcode none', () => {
    const wrapped = armErrorFromBody({
      error: { code: NEW_POOL_FLAT.code, message: NEW_POOL_FLAT.message },
    });
    expect(armErrorFromBody(NEW_POOL_FLAT)).toEqual(wrapped);
    expect(wrapped).toEqual({ code: 'BadRequest', message: NEW_POOL_FLAT.message });
  });

  test('flat keeps nested details, the target and a non-empty subcode', () => {
    expect(armErrorFromBody(ETAG_FLAT)).toEqual({
      code: 'EtagMismatch',
      message: 'Operation is not allowed: Another operation is in progress',
      details: [ETAG_FLAT.details[0]],
      subcode: 'PutManagedClusterAndComponents_FailedPrecondition',
    });
    expect(armErrorFromBody(SUBNET_FLAT)).toEqual({
      code: 'InsufficientSubnetSize',
      message: SUBNET_FLAT.message,
      target: 'networkProfile.podCIDR',
    });
  });

  test('the SDK’s deserialised details of a flat answer ({ error: undefined }) hold nothing', () => {
    expect(armErrorFromBody({ error: undefined })).toBeUndefined();
    expect(armErrorFromBody({})).toBeUndefined();
    expect(armErrorFromBody({ error: undefined, ...NEW_POOL_FLAT })?.code).toBe('BadRequest');
    expect(armErrorFromBody({ code: '', message: 'x' })).toBeUndefined();
  });
});

describe('toAksError: the same AksError from either shape, whatever the SDK kept', () => {
  test('the modular SDK’s RestError of a flat answer: its code and message', () => {
    const e = toAksError(sdkError(409, ETAG_FLAT, { error: undefined }));
    expect([e.statusCode, e.code, e.armError]).toEqual([
      409,
      'EtagMismatch',
      { code: 'EtagMismatch', message: ETAG_FLAT.message },
    ]);
  });

  test('with the body the caller saw (onResponse), the whole error in either shape', () => {
    const whole = {
      code: 'EtagMismatch',
      message: ETAG_FLAT.message,
      details: [ETAG_FLAT.details[0]],
    };
    expect(toAksError(sdkError(409, ETAG_FLAT), ETAG_FLAT).armError).toEqual({
      ...whole,
      subcode: ETAG_FLAT.subcode,
    });
    const { subcode: _s, ...wrappedBody } = ETAG_FLAT;
    expect(toAksError(sdkError(409, ETAG_FLAT), { error: wrappedBody }).armError).toEqual(whole);
  });

  test('a core-client style error with the response text, flat or wrapped', () => {
    for (const body of [SUBNET_FLAT, { error: { ...SUBNET_FLAT, subcode: undefined } }]) {
      const e = Object.assign(new Error(JSON.stringify(body)), {
        statusCode: 400,
        response: { bodyAsText: JSON.stringify(body), headers: { get: () => undefined } },
      });
      expect(toAksError(e).armError).toEqual({
        code: 'InsufficientSubnetSize',
        message: SUBNET_FLAT.message,
        target: 'networkProfile.podCIDR',
      });
    }
  });

  test('the SDK’s details of a wrapped answer are read as before', () => {
    const body = { error: { code: NEW_POOL_FLAT.code, message: NEW_POOL_FLAT.message } };
    expect(toAksError(sdkError(400, NEW_POOL_FLAT, body)).armError).toEqual(body.error);
  });
});

describe('isOperationInProgress: every wording of a write that meets another operation, in both shapes', () => {
  const inProgress: [string, string, string][] = [
    [
      'classic (seed 000)',
      'OperationNotAllowed',
      `Operation is not allowed: Another operation (Upgrading) is in progress, ${WAIT}`,
    ],
    [
      'agent pool (seed 000)',
      'OperationNotAllowed',
      `Operation is not allowed: Another agentpool operation (Scaling) is in progress, ${WAIT}`,
    ],
    [
      'in progress on agent pool (seed 000)',
      'OperationNotAllowed',
      `Managed Cluster operation is not allowed: Another operation (Scaling) is in progress on agent pool (user), ${WAIT}`,
    ],
    [
      'pool and verb (Azure/azure-workload-identity#417)',
      'OperationNotAllowed',
      `Operation is not allowed: Another operation (nodepool1 - Updating) is in progress, ${WAIT}`,
    ],
    [
      'agent pool, pool and verb (cilium/cilium#25944)',
      'OperationNotAllowed',
      `Operation is not allowed: Another agentpool operation (nodepool1 - Creating) is in progress, ${WAIT}`,
    ],
    [
      'operation ID (hashicorp/terraform-provider-azurerm#28878)',
      'OperationNotAllowed',
      "Operation is not allowed because there's an in progress create managed cluster operation (operation ID: e572f837-d693-4e57-8caa-0e158cfe6c0e) on the managed cluster started on UTC 2025-02-27T11:27:05Z. Please wait for it to finish before starting a new operation. You can also use 'az aks operation-abort ...' to abort the ongoing operation.",
    ],
    [
      'EtagMismatch (Azure/terraform-azurerm-aks#604)',
      'EtagMismatch',
      'Operation is not allowed: Another operation is in progress',
    ],
  ];

  test.each(inProgress)('%s', (_what, code, message) => {
    const flat = { code, details: null, message, subcode: '' };
    const wrapped = { error: { code, message } };
    for (const e of [
      toAksError(sdkError(409, flat, { error: undefined })),
      toAksError(sdkError(409, flat), flat),
      toAksError(sdkError(409, flat, wrapped)),
      toAksError(sdkError(409, flat), wrapped),
    ]) {
      expect([e.code, e.isOperationInProgress]).toEqual([code, true]);
    }
  });

  test('a 409 EtagMismatch is a race whatever its message says', () => {
    expect(new AksError({ code: 'EtagMismatch', message: 'Etag mismatched' }, 409)).toHaveProperty(
      'isOperationInProgress',
      true,
    );
  });

  test.each([
    [
      409,
      'OperationNotAllowed',
      'Operation is not allowed: the latest operation (Upgrading, operation ID: 1) on the managed cluster aks already reached a terminal state (Succeeded); there is nothing to abort.',
    ],
    [
      409,
      'OperationNotAllowed',
      'Operation is not allowed: there is no operation in progress on the managed cluster aks to abort.',
    ],
    [
      400,
      'OperationNotAllowed',
      'Upgrading Kubernetes version 1.28.12 to 1.30.2 is not allowed. Available upgrades: [1.29.7].',
    ],
    [412, 'PreconditionFailed', 'Operation is not allowed: the If-Match header does not match.'],
  ])('not a race: %i %s "%s"', (status, code, message) => {
    const flat = { code, details: null, message, subcode: '' };
    expect(toAksError(sdkError(status, flat), flat).isOperationInProgress).toBe(false);
  });
});
