/**
 * One table of inputs (src/core/inputs.ts) and what derives from it: action.yml declares the
 * Action's names, task.json the task's, the CLI's parseArgs options are its flags; and
 * respellInputs names inputs as each front door does without touching values or commands.
 */
import { describe, expect, test } from '@jest/globals';
import { actionYml } from '../helpers/action.ts';
import { taskJson } from '../../scripts/lib/task-runner.ts';
import { inputFlags } from '../../src/cli/main.ts';
import {
  INPUT_NAMES,
  INPUTS,
  respellInputs,
  SECRET_INPUTS,
  SPELLINGS,
  type InputSpec,
} from '../../src/core/inputs.ts';

const rows: readonly InputSpec[] = INPUTS;

describe('the table of inputs', () => {
  test('action.yml declares exactly its inputs, in its order', () => {
    expect(Object.keys(actionYml().inputs)).toEqual([...INPUT_NAMES]);
  });

  test('task.json declares the task names of the table, and only azureSubscription besides', () => {
    const declared = taskJson().inputs.map((i) => i.name);
    const fromTable = rows.flatMap((r) => (r.task ? [r.task] : []));
    expect(declared.filter((n) => n !== 'azureSubscription').sort()).toEqual(fromTable.sort());
    expect(declared).toContain('azureSubscription');
    // The rest come from the service connection, or (the comment's token) from the job.
    expect(rows.filter((r) => !r.task).map((r) => r.name)).toEqual([
      'subscription-id',
      'github-token',
      'auth-type',
      'client-id',
      'tenant-id',
      'client-secret',
      'environment',
      'arm-endpoint',
      'authority-host',
    ]);
  });

  test('the CLI takes one --flag per input, named like the Action’s input', () => {
    expect(Object.keys(inputFlags())).toEqual([...INPUT_NAMES]);
    for (const name of INPUT_NAMES) expect(SPELLINGS.cli.name(name)).toBe(`--${name}`);
  });

  test('secrets are the client secret and the GitHub token', () => {
    expect([...SECRET_INPUTS].sort()).toEqual(['client-secret', 'github-token']);
  });
});

describe('respellInputs', () => {
  const text =
    'The upgrade is in progress, and on-pending is "fail". Re-run with `on-pending: wait` ' +
    '(and a longer `wait-timeout`), or with on-failed: reconcile; scale with `operation: scale`.';

  test.each([
    ['action', text],
    [
      'task',
      'The upgrade is in progress, and onPending is "fail". Re-run with `onPending: wait` ' +
        '(and a longer `waitTimeout`), or with onFailed: reconcile; scale with `operation: scale`.',
    ],
    [
      'cli',
      'The upgrade is in progress, and --on-pending is "fail". Re-run with `--on-pending wait` ' +
        '(and a longer `--wait-timeout`), or with --on-failed reconcile; scale with `--operation scale`.',
    ],
  ] as const)('names inputs and settings as the %s does', (door, expected) => {
    expect(respellInputs(text, SPELLINGS[door])).toBe(expected);
  });

  test('the comment-on-pr input is the task’s commentOnPullRequest', () => {
    expect(respellInputs('set comment-on-pr to true', SPELLINGS.task)).toBe(
      'set commentOnPullRequest to true',
    );
  });

  test.each(['task', 'cli'] as const)('leaves values and commands alone (%s)', (door) => {
    const untouched = [
      '`az aks nodepool scale -g rg --cluster-name aks -n user --node-count 3`',
      'cluster "aks-dry-run" and resource group "rg-node-pool"',
      'the file /work/dry-run/on-pending.yaml and dry-run.yaml',
      'operation aks-dry-run-1 on node pool user',
      'key=dry-run, $on-pending and --wait-timeout',
      'a result of dry-run-like runs',
    ];
    for (const t of untouched) expect(respellInputs(t, SPELLINGS[door])).toBe(t);
  });

  test('an input named in quotes is a name', () => {
    expect(respellInputs('cannot be combined with "node-pool"', SPELLINGS.task)).toBe(
      'cannot be combined with "nodePool"',
    );
  });
});
