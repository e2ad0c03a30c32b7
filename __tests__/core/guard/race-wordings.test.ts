/**
 * The guard's race handling (guard/write.ts) on the fake AKS, for every 409 AKS answers a write that
 * meets another writer's operation, each built as AksClient builds it from the SDK's RestError and
 * the answer's body, flat (as AKS sends its own errors) or wrapped: each is "another operation",
 * so the run checks again, waits for that operation and writes once more.
 */
import { describe, expect, test } from '@jest/globals';
import { RestError } from '@azure/core-rest-pipeline';
import { runGuard } from '../../../src/core/guard.ts';
import { MemoryReporter } from '../../../src/core/reporter.ts';
import { toAksError } from '../../../src/core/arm-error.ts';
import { FakeAks, settingsOf } from '../../__fixtures__/fake-aks.ts';

const MIN = 60_000;
const WAIT =
  'please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details';

const WORDINGS: [string, string, string, unknown[] | null][] = [
  [
    'classic agent pool',
    'OperationNotAllowed',
    `Operation is not allowed: Another agentpool operation (Scaling) is in progress, ${WAIT}`,
    null,
  ],
  [
    'pool and verb (cilium/cilium#25944)',
    'OperationNotAllowed',
    `Operation is not allowed: Another agentpool operation (user - Scaling) is in progress, ${WAIT}`,
    null,
  ],
  [
    'operation ID (hashicorp/terraform-provider-azurerm#28878)',
    'OperationNotAllowed',
    "Operation is not allowed because there's an in progress scale agent pool operation (operation ID: 0b6cf2b4-0a8e-4c4b-9a53-3c8f6a1f2c11) on agent pool user started on UTC 2026-11-24T03:04:05Z. Please wait for it to finish before starting a new operation. You can also use 'az aks operation-abort ...' to abort the ongoing operation.",
    null,
  ],
  [
    'EtagMismatch (Azure/terraform-azurerm-aks#604)',
    'EtagMismatch',
    'Operation is not allowed: Another operation is in progress',
    [
      {
        code: 'Unspecified',
        message: 'rpc error: code = FailedPrecondition desc = Etag mismatched',
      },
    ],
  ],
];

const CASES = WORDINGS.flatMap(([name, code, message, details]) => [
  { name: `${name}, flat`, code, message, body: { code, details, message, subcode: '' } },
  {
    name: `${name}, wrapped`,
    code,
    message,
    body: { error: { code, message, ...(details ? { details } : {}) } },
  },
]);

describe('a write that meets another writer’s operation', () => {
  test.each(CASES)(
    '$name: checks again, waits, then writes once more',
    async ({ code, message, body }) => {
      const aks = new FakeAks();
      const real = aks.putPool.bind(aks);
      let first = true;
      aks.putPool = async (name, model) => {
        if (!first) return real(name, model);
        first = false;
        aks.begin({ pool: 'user', verb: 'Scaling', durationMs: 2 * MIN });
        // The fake refuses it; AKS's answer is this one, as the SDK and AksClient deliver it.
        await real(name, model).catch(() => undefined);
        throw toAksError(new RestError(message, { statusCode: 409, code }), body);
      };
      const reporter = new MemoryReporter();
      const o = await runGuard(
        settingsOf({ operation: 'scale', 'node-pool': 'user', 'node-count': '4' }),
        { client: aks, reporter, clock: aks.clock },
      );
      expect(o.result).toBe('succeeded');
      expect(aks.writes()).toEqual(['putPool user', 'putPool user']);
      expect(o.waitedSeconds).toBeGreaterThanOrEqual(60);
    },
  );
});
