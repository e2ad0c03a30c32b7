/**
 * The bundles' content stamp (scripts/lib/bundles.ts), which `npm test` compares before it runs the
 * suites that spawn the bundles: it depends on what the bundles are built from and on nothing else
 * (no mtimes, no line endings, no simulator), and every file an entry imports is part of it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  computeStamp,
  NOT_BUNDLED,
  readStamp,
  ROOT,
  sourceFiles,
  stampPath,
  stampText,
  staleReason,
  TARGET_NAMES,
  TARGETS,
  usesBundles,
  type TargetName,
} from '../../scripts/lib/bundles.ts';

// The targets by name; spelt out, the first would mark this file as a suite that runs the bundles.
const [MAIN, TASK] = TARGET_NAMES as [TargetName, TargetName];

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

describe('the content stamp', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-stamp-'));
    write(
      root,
      'package.json',
      '{"type":"module","scripts":{"build":"x"},"dependencies":{"a":"1"}}\n',
    );
    write(root, 'package-lock.json', '{"lockfileVersion":3}\n');
    write(root, 'tsconfig.json', '{}\n');
    write(root, 'src/core/a.ts', 'export const a = 1;\nexport const b = 2;\n');
    write(root, 'src/platform/b.ts', "import { a } from '../core/a.ts';\n");
    write(root, 'src/simulator/sim.ts', 'export const s = 1;\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('is the same on every checkout of the same sources: mtimes, CRLF and litter do not count', () => {
    const before = TARGET_NAMES.map((t) => computeStamp(t, root));
    utimesSync(path.join(root, 'src/core/a.ts'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    write(root, 'src/core/a.ts', 'export const a = 1;\r\nexport const b = 2;\r\n');
    write(root, 'src/core/.DS_Store', 'junk');
    write(root, 'src/.a.ts.swp', 'junk');
    expect(TARGET_NAMES.map((t) => computeStamp(t, root))).toEqual(before);
    expect(sourceFiles(root)).toEqual(['src/core/a.ts', 'src/platform/b.ts']);
  });

  test('changes with any bundled source, a new source file, the lock file, tsconfig or dependencies', () => {
    const base = computeStamp(MAIN, root);
    const changed = (edit: () => void): string => {
      edit();
      const s = computeStamp(MAIN, root);
      expect(s).not.toBe(base);
      return s;
    };
    const seen = new Set([
      base,
      changed(() => write(root, 'src/core/a.ts', 'export const a = 3;\n')),
      changed(() => write(root, 'src/core/new.ts', '')),
      changed(() => write(root, 'package-lock.json', '{"lockfileVersion":3,"x":1}\n')),
      changed(() => write(root, 'tsconfig.json', '{"compilerOptions":{}}\n')),
      changed(() =>
        write(root, 'package.json', '{"type":"module","scripts":{},"dependencies":{"a":"2"}}\n'),
      ),
      changed(() => rmSync(path.join(root, 'package-lock.json'))),
    ]);
    expect(seen.size).toBe(7);
  });

  test("ignores the simulator and package.json's scripts; each target has its own stamp", () => {
    const base = computeStamp(MAIN, root);
    write(root, 'src/simulator/sim.ts', 'export const s = 2;\n');
    write(
      root,
      'package.json',
      '{"type":"module","scripts":{"test":"y"},"dependencies":{"a":"1"}}',
    );
    expect(computeStamp(MAIN, root)).toBe(base);
    expect(computeStamp(TASK, root)).not.toBe(base);
  });

  test('a target is stale without its bundles or stamp, or once a source changes, and current after a build', () => {
    for (const target of TARGET_NAMES) {
      const t = TARGETS[target];
      expect(staleReason(target, root)).toMatch(/index\.js missing$/);
      for (const b of t.builds) write(root, `${b.out}/index.js`, '');
      expect(staleReason(target, root)).toBe(`no ${t.dir}/sources.sha256`);
      writeFileSync(stampPath(target, root), stampText(target, computeStamp(target, root)));
      expect(readStamp(target, root)).toMatch(/^[0-9a-f]{64}$/);
      expect(staleReason(target, root)).toBeUndefined();
    }
    write(root, 'src/platform/b.ts', '// edited\n');
    for (const target of TARGET_NAMES)
      expect(staleReason(target, root)).toBe('built from other sources');
  });
});

describe('what the bundles are built from', () => {
  const RELATIVE_IMPORT = /\b(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

  test.each(TARGET_NAMES.flatMap((t) => TARGETS[t].builds.map((b) => [t, b.entry] as const)))(
    '%s: every source file %s imports is in the stamp, and none of the simulator',
    (_target, entry) => {
      const hashed = new Set(sourceFiles(ROOT));
      const reached = new Set<string>();
      const queue: string[] = [entry];
      while (queue.length > 0) {
        const rel = queue.pop()!;
        if (reached.has(rel)) continue;
        let text: string;
        try {
          text = readFileSync(path.join(ROOT, rel), 'utf8');
        } catch {
          continue; // a file that does not exist fails the build, not the stamp
        }
        reached.add(rel);
        for (const m of text.matchAll(RELATIVE_IMPORT))
          queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1]!)));
      }
      expect(reached.size).toBeGreaterThan(1);
      expect([...reached].filter((f) => !hashed.has(f))).toEqual([]);
      expect([...reached].filter((f) => NOT_BUNDLED.some((p) => f.startsWith(p)))).toEqual([]);
    },
  );
});

describe('which suites run the bundles', () => {
  test.each([
    ['__tests__/action/basics.test.ts', true],
    ['__tests__/action/metadata.test.ts', true],
    ['__tests__/cli/guard.test.ts', true],
    ['__tests__/task/task.test.ts', true],
    ['__tests__/extension/vsix.test.ts', true],
    ['__tests__/simulator/units.test.ts', false],
    ['__tests__/simulator/operations.test.ts', false],
    ['__tests__/core/duration.test.ts', false],
    ['__tests__/scripts/bundles.test.ts', false],
  ])('%s: %s', (file, expected) => {
    expect(usesBundles(file)).toBe(expected);
  });
});
