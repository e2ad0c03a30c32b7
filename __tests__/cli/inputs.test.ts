/**
 * Bad inputs through the CLI's front door, in-process (no simulator, nothing is sent): named as the
 * flags they are (--files, --on-pending), files only from the working directory, exit code 2.
 */
import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';

const THIS_FILE = fileURLToPath(import.meta.url);
const SUB = '11111111-2222-3333-4444-555555555555';

async function cli(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const stderr = new PassThrough();
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(
    [...args, '--subscription-id', SUB, '--resource-group', 'rg', '--cluster-name', 'aks'],
    { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {} },
  );
  return { code, err };
}

const runCommand = ['run', '--operation', 'run-command', '--command', 'cat /mnt/files/x'];

describe('the CLI refuses bad inputs before anything is sent', () => {
  test.each(['/etc/shadow', '../../../../etc/passwd'])(
    '--files %j outside the working directory',
    async (file) => {
      const { code, err } = await cli([...runCommand, '--files', file]);
      expect(code).toBe(2);
      expect(err).toContain(`ERROR: Input "--files": ${JSON.stringify(file)} is outside`);
      expect(err).toContain(`inside the workspace ${JSON.stringify(process.cwd())}`);
    },
  );

  test('inputs are named as flags, in the label and in the message', async () => {
    const { code, err } = await cli(['run', '--operation', 'start', '--abort-after', '10m']);
    expect(code).toBe(2);
    expect(err).toBe(
      'ERROR: Input "--abort-after": applies only with --on-pending "abort" (it is "wait").\n',
    );
  });

  test('a bad id from the environment says so', async () => {
    let err = '';
    const stderr = new PassThrough();
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await main(['check', '--resource-group', 'rg', '--cluster-name', 'aks'], {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
      env: { AZURE_SUBSCRIPTION_ID: 'my-subscription' },
    });
    expect(code).toBe(2);
    expect(err).toContain(
      'Input "--subscription-id (from the environment variable AZURE_SUBSCRIPTION_ID)": "my-subscription"',
    );
  });

  test('a file in the working directory, given relative to it, is accepted', async () => {
    // Accepted inputs go on to sign in; an unknown auth-type stops the run right after the files.
    const { code, err } = await cli([
      ...runCommand,
      '--files',
      path.relative(process.cwd(), THIS_FILE),
      '--auth-type',
      'none',
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/^ERROR: Input "--auth-type": "none" is not allowed/);
    expect(err).not.toContain('--files');
  });
});
