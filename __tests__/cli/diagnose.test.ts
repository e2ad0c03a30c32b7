/**
 * `aks-guard diagnose`: a file, stdin, --code/--message, --jsonl in bulk; Markdown, text or JSON.
 * In-process through main(), and once through the built bin the way `npx aks-guard` runs it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { main } from '../../src/cli/main.ts';
import { CATEGORIES } from '../../src/core/diagnose/types.ts';
import { ROOT } from '../helpers/action.ts';

async function cli(
  args: string[],
  stdin = '',
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        write(chunk.toString());
        done();
      },
    });
  const code = await main(args, {
    stdin: Readable.from([stdin]),
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env: {},
  });
  return { code, out, err };
}

const DRAIN = JSON.stringify({
  error: {
    code: 'UpgradeFailed',
    message:
      'Drain node aks-user-31415926-vmss000001 failed when evicting pod checkout-7d9f8b6c5d-x2k4p failed with Too Many Requests error. This is often caused by a restrictive Pod Disruption Budget (PDB) policy.',
  },
});

interface Json {
  category: string;
  code: string;
  title: string;
  summary: string;
  retryable: boolean;
  remediation: string[];
  docs: string[];
  facts: Record<string, string>;
}

describe('aks-guard diagnose', () => {
  test('--json on a file: the contract’s fields, the category and facts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-cli-'));
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      const file = path.join(dir, 'error.json');
      writeFileSync(file, DRAIN);
      r = await cli([
        'diagnose',
        file,
        '--json',
        '--resource-group',
        'rg-shop',
        '--cluster-name',
        'aks-shop',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out) as Json;
    expect(Object.keys(d).sort()).toEqual(
      ['category', 'code', 'docs', 'facts', 'remediation', 'retryable', 'summary', 'title'].sort(),
    );
    expect(d.category).toBe('pod-drain-failure');
    expect(d.facts.pod).toBe('checkout-7d9f8b6c5d-x2k4p');
    expect(d.facts.node).toBe('aks-user-31415926-vmss000001');
    expect(d.remediation.join('\n')).toContain('rg-shop');
    expect(d.docs.every((u) => u.startsWith('https://'))).toBe(true);
  });

  test('stdin, as text, and Markdown', async () => {
    const text = await cli(
      ['diagnose'],
      'Code: SubnetIsFull Message: Subnet s1 with address prefix 10.0.0.0/24 does not have enough capacity for 30 IP addresses.',
    );
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/subnet-capacity/);
    expect(text.out).toMatch(/How to fix it:\n {2}1\. /);
    const markdown = await cli(['diagnose', '-', '--markdown'], DRAIN);
    expect(markdown.out).toMatch(/^## Diagnosis: /);
    expect(markdown.out).toContain('<details>');
  });

  test('--code and --message', async () => {
    const r = await cli([
      'diagnose',
      '--code',
      'QuotaExceeded',
      '--message',
      'Operation could not be completed as it results in exceeding approved Total Regional Cores quota.',
      '--json',
    ]);
    expect((JSON.parse(r.out) as Json).category).toBe('quota-exceeded');
  });

  test('--jsonl: one diagnosis per line, in order, for 200 messages', async () => {
    const messages = Array.from({ length: 200 }, (_, i) =>
      i % 2
        ? {
            code: 'OperationNotAllowed',
            message: `Operation is not allowed: Another operation (Upgrading) is in progress, please wait (${i}).`,
          }
        : {
            code: '',
            message: `VM has reported a failure when processing extension 'vmssCSE'. exit status=50 (${i})`,
          },
    );
    const r = await cli(['diagnose', '--jsonl'], messages.map((m) => JSON.stringify(m)).join('\n'));
    expect(r.code).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(lines).toHaveLength(200);
    lines.forEach((d, i) =>
      expect(d.category).toBe(i % 2 ? 'operation-in-progress' : 'outbound-connectivity'),
    );
    for (const d of lines) expect(CATEGORIES).toContain(d.category);
  });

  test('bad usage: exit code 2 and a message naming the problem', async () => {
    expect((await cli(['diagnose', '/nonexistent/file'])).err).toMatch(
      /Cannot read \/nonexistent\/file/,
    );
    expect((await cli(['diagnose', '--jsonl'], 'not json')).code).toBe(2);
    expect((await cli(['diagnose'], '   ')).err).toMatch(/empty/);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown command "frobnicate"/);
    expect((await cli(['diagnose', '--colour'])).code).toBe(2);
  });
});

describe('the bin, as npx aks-guard runs it', () => {
  test('dist/cli/index.js diagnoses stdin', async () => {
    const child = promisify(execFile)(
      process.execPath,
      [path.join(ROOT, 'dist/cli/index.js'), 'diagnose', '--json'],
      {
        cwd: ROOT,
      },
    );
    child.child.stdin!.end(DRAIN);
    const { stdout } = await child;
    expect((JSON.parse(stdout) as Json).category).toBe('pod-drain-failure');
  });
});
