/**
 * runStep's rules for a step that cannot run, in-process with a fake Platform (nothing is sent):
 * one error-code mapping for every front door (InvalidInput, the front door's own, UnexpectedError),
 * `result` failed, messages redacted and naming inputs as the front door does.
 */
import { describe, expect, test } from '@jest/globals';
import { MemoryReporter } from '../../src/core/reporter.ts';
import { InputError } from '../../src/core/settings.ts';
import { runStep, type Platform } from '../../src/core/step.ts';
import type { FrontDoor } from '../../src/core/inputs.ts';

class ConnectionProblem extends Error {}

function fake(
  frontDoor: FrontDoor,
  inputs: Record<string, string>,
  readInputs?: (mask: (s: string) => void) => never,
) {
  const outputs: Record<string, string> = {};
  const failures: { message: string; run: unknown }[] = [];
  const log = new MemoryReporter();
  const platform: Platform = {
    frontDoor,
    userAgent: 'test',
    log,
    workspace: process.cwd(),
    mermaid: false,
    readInputs:
      readInputs ??
      (() => ({ get: (n) => inputs[n] ?? '', env: {}, defaultAuthType: 'azure-cli' })),
    credentials: () => ({}),
    setOutput: (n, v) => void (outputs[n] = v),
    writeSummary: async () => undefined,
    setSucceeded: () => {
      throw new Error('not expected');
    },
    setFailed: (message, run) => void failures.push({ message, run }),
    errorCodeOf: (err) =>
      err instanceof ConnectionProblem ? 'InvalidServiceConnection' : undefined,
  };
  return { platform, outputs, failures, log };
}

const SUB = '11111111-2222-3333-4444-555555555555';

describe('a step that cannot run', () => {
  test.each([
    ['action', 'Input "abort-after": applies only with on-pending "abort" (it is "wait").'],
    ['task', 'Input "abortAfter": applies only with onPending "abort" (it is "wait").'],
    ['cli', 'Input "--abort-after": applies only with --on-pending "abort" (it is "wait").'],
  ] as const)(
    'bad inputs (%s): InvalidInput, named as the front door names them',
    async (door, text) => {
      const f = fake(door, {
        'subscription-id': SUB,
        'resource-group': 'rg',
        'cluster-name': 'aks',
        operation: 'start',
        'abort-after': '10m',
      });
      const end = await runStep(f.platform);
      expect(end).toEqual({ status: 'refused', errorCode: 'InvalidInput', message: text });
      expect(f.outputs).toEqual({ result: 'failed', 'error-code': 'InvalidInput' });
      expect(f.failures).toEqual([{ message: text, run: undefined }]);
    },
  );

  test('the front door’s own error gets its code; a secret read before it is redacted', async () => {
    const f = fake('task', {}, (mask) => {
      mask('s3cret-value-1');
      throw new ConnectionProblem('the connection has s3cret-value-1 in it');
    });
    const end = await runStep(f.platform);
    expect(end).toMatchObject({ status: 'refused', errorCode: 'InvalidServiceConnection' });
    expect(f.failures[0]!.message).toBe('the connection has *** in it');
    expect(f.log.masked).toEqual(['s3cret-value-1']);
  });

  test('anything else is UnexpectedError; an input error thrown by the front door is InvalidInput', async () => {
    const unexpected = fake('cli', {}, () => {
      throw new Error('boom');
    });
    expect(await runStep(unexpected.platform)).toMatchObject({ errorCode: 'UnexpectedError' });
    const input = fake('task', {}, () => {
      throw new InputError([{ input: 'azureSubscription', message: 'is required.' }]);
    });
    expect(await runStep(input.platform)).toEqual({
      status: 'refused',
      errorCode: 'InvalidInput',
      message: 'Input "azureSubscription": is required.',
    });
  });

  test('secret inputs are masked as soon as they are read', async () => {
    const f = fake('action', { 'client-secret': 'very-secret-1', 'github-token': 'ghp_abcdef' });
    await runStep(f.platform);
    expect(f.log.masked.sort()).toEqual(['ghp_abcdef', 'very-secret-1']);
  });
});
