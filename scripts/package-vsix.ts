/**
 * `npm run package:vsix`: the Azure DevOps extension. Builds the task bundle (`npm run
 * package:ado`), then packs vss-extension.json, tasks/AksGuardV1 and the icon with
 * `tfx extension create` into out/<publisher>.<id>-<version>.vsix, and prints its path.
 *
 *   npm run package:vsix
 *   npm run package:vsix -- --out /tmp/vsix      another output folder
 *   npm run package:vsix -- --skip-build         pack the bundle as it is
 *
 * tfx only prints a warning when a task.json is invalid (a missing execution target, say) and
 * still writes the .vsix: here that is an error and the .vsix is deleted. tfx reads options saved
 * by `tfx ... --save` from ~/.tfx and may write there; it runs with a throwaway home folder so the
 * package depends on the repository alone. `extension create` makes no network requests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TFX = createRequire(import.meta.url).resolve('tfx-cli/_build/tfx-cli.js');

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(ROOT, 'out') },
    'skip-build': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`package:vsix: ${message}\n`);
  process.exit(1);
}

if (!values['skip-build']) {
  // Under npm, npm_execpath is npm's own CLI script: no shell needed, on Windows either.
  const npm = process.env.npm_execpath;
  const build = npm
    ? spawnSync(process.execPath, [npm, 'run', 'package:ado'], { cwd: ROOT, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'package:ado'], {
        cwd: ROOT,
        stdio: 'inherit',
        shell: process.platform === 'win32',
      });
  if (build.status !== 0) fail(`npm run package:ado failed (${build.status ?? build.signal})`);
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'vss-extension.json'), 'utf8')) as {
  publisher: string;
  id: string;
  version: string;
};
// The name tfx would choose; given in full because tfx reads a folder name with a dot as a file.
const outDir = path.resolve(values.out);
const vsix = path.join(outDir, `${manifest.publisher}.${manifest.id}-${manifest.version}.vsix`);
mkdirSync(outDir, { recursive: true });

const home = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-tfx-'));
let tfx;
try {
  tfx = spawnSync(
    process.execPath,
    [
      TFX,
      'extension',
      'create',
      '--root',
      ROOT,
      '--manifest-globs',
      'vss-extension.json',
      '--output-path',
      vsix,
      '--no-prompt',
      '--no-color',
      '--json',
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, HOME: home, USERPROFILE: home, TFX_BYPASS_CACHE: '1' },
    },
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}

// With --json, stdout is tfx's warnings, one per line, then the result object.
const stdout = tfx.stdout ?? '';
const warnings = stdout.split('\n').filter((line) => line.startsWith('warning:'));
if (tfx.status !== 0) {
  process.stderr.write(stdout + (tfx.stderr ?? ''));
  fail(`tfx extension create failed (${tfx.status ?? tfx.signal ?? tfx.error?.message})`);
}
if (warnings.length) {
  rmSync(vsix, { force: true });
  process.stderr.write(`${warnings.join('\n')}\n`);
  fail('tfx warned about the extension (above); no .vsix written');
}
const kib = Math.ceil(statSync(vsix).size / 1024);
const shown = path.relative(process.cwd(), vsix);
process.stdout.write(
  `${shown.startsWith('..') || path.isAbsolute(shown) ? vsix : shown} (${kib} KiB)\n`,
);
