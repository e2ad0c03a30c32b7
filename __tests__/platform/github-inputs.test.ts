/**
 * The Action's front door in-process, with the runner's INPUT_* variables: run-command `files`
 * resolve against GITHUB_WORKSPACE and must stay inside it. The inputs are refused before any
 * request, so no simulator is needed.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/platform/github.ts';

let tmp: string;
let workspace: string;

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'aks-guard-action-inputs-')));
  workspace = path.join(tmp, 'work', 'repo');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(path.join(tmp, 'outside.yaml'), 'kind: Secret\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the Action with these inputs; returns its ::error:: line and its outputs file. */
async function action(inputs: Record<string, string>): Promise<{ error: string; outputs: string }> {
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: path.join(tmp, 'output'),
    'INPUT_SUBSCRIPTION-ID': '11111111-2222-3333-4444-555555555555',
    'INPUT_RESOURCE-GROUP': 'rg',
    'INPUT_CLUSTER-NAME': 'aks',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  writeFileSync(env.GITHUB_OUTPUT!, '');
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  };
  try {
    await run();
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return {
    error: out.split('\n').find((l) => l.startsWith('::error')) ?? '',
    outputs: readFileSync(env.GITHUB_OUTPUT!, 'utf8'),
  };
}

describe('run-command files in the Action', () => {
  test.each(['/etc/shadow', '../../outside.yaml', '/tmp/../etc/passwd'])(
    '%j outside GITHUB_WORKSPACE is refused before any request',
    async (file) => {
      const { error, outputs } = await action({
        operation: 'run-command',
        command: 'kubectl apply -f .',
        files: file,
        'auth-type': 'azure-cli',
      });
      expect(error).toContain(`Input "files": ${JSON.stringify(file)} is outside the workspace`);
      expect(error).toContain(JSON.stringify(workspace));
      expect(outputs).toContain('InvalidInput');
    },
  );

  test('a relative path is looked for in GITHUB_WORKSPACE', async () => {
    const { error } = await action({
      operation: 'run-command',
      command: 'kubectl apply -f .',
      files: 'manifests/missing.yaml',
      'auth-type': 'azure-cli',
    });
    expect(error).toContain(
      `"manifests/missing.yaml" does not exist in the workspace ${JSON.stringify(workspace)}`,
    );
  });
});
