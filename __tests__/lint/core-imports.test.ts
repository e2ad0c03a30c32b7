/**
 * eslint.config.js keeps runner libraries out of src/core/: the core runs under the Action, the
 * Azure DevOps task and the CLI alike (and azure-pipelines-task-lib empties INPUT_* on import).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { ESLint } from 'eslint';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Linted as the text of a file that exists there (the type-aware rules need it in the project).
const someFile = (dir: string): string =>
  `${dir}/${
    readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith('.ts'))
      .sort()[0]
  }`;
const CORE_FILE = someFile('src/core');
const PLATFORM_FILE = someFile('src/platform');

const eslint = new ESLint({ cwd: ROOT });

async function restrictions(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  return result!.messages
    .filter(
      (m) =>
        m.ruleId === '@typescript-eslint/no-restricted-imports' ||
        m.ruleId === 'no-restricted-syntax',
    )
    .map((m) => m.message);
}

describe('no runner library in src/core/', () => {
  test.each([
    "import * as core from '@actions/core'; export const x = core;",
    "import { context } from '@actions/github'; export const c = context;",
    "import type { Octokit } from '@octokit/core'; export type O = Octokit;",
    "import tl from 'azure-pipelines-task-lib'; export const t = tl;",
    "import * as tl from 'azure-pipelines-task-lib/task'; export const t = tl;",
    "export { getInput } from '@actions/core';",
    "export const m = await import('@actions/github');",
    "export const m = await import('azure-pipelines-task-lib/task');",
  ])(
    '%s is refused, naming src/platform/',
    async (code) => {
      const messages = await restrictions(code, CORE_FILE);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(
        /src\/core\/ must stay runner-neutral: put .* in src\/platform\//,
      );
    },
    60_000,
  );

  test('other packages in the core, and runner libraries in src/platform/, are allowed', async () => {
    expect(await restrictions("import { z } from 'zod'; export const s = z;", CORE_FILE)).toEqual(
      [],
    );
    expect(
      await restrictions(
        "import * as core from '@actions/core'; export const x = core;",
        PLATFORM_FILE,
      ),
    ).toEqual([]);
  }, 60_000);
});
