/** The README stays true: every scenario it should list is listed, and its commands exist. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { listScenarios } from '../../src/simulator/index.ts';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('README', () => {
  test('lists every scenario in its table', () => {
    const rows = new Set([...readme.matchAll(/^\| `([a-z0-9-]+)`/gm)].map((m) => m[1]));
    expect(
      listScenarios()
        .map((s) => s.name)
        .filter((n) => !rows.has(n)),
    ).toEqual([]);
  });

  test('shows the quick start commands, and every npm script it mentions exists', () => {
    expect(readme).toMatch(/npm ci\nnpm run demo[^\n]*\nnpm test/);
    for (const [, script] of readme.matchAll(/npm run ([a-z:-]+)/g))
      expect(Object.keys(pkg.scripts)).toContain(script);
  });
});
