/**
 * `npm test [-- jest arguments]`: jest, never against stale bundles. When the selected suites run
 * the bundles (every suite with no arguments; with arguments, those that name dist/ themselves or
 * through a helper, see usesBundles), a target whose stamp no longer matches the sources is rebuilt
 * first, with one line saying so; when every stamp matches, or only in-process suites are selected
 * (`npm test -- __tests__/core`), jest starts at once. A build that fails stops the run there.
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {
  buildTarget,
  ROOT,
  staleReason,
  TARGET_NAMES,
  TARGETS,
  usesBundles,
} from './lib/bundles.ts';

// jest's package exports do not include its bin script.
const JEST = path.join(ROOT, 'node_modules/jest/bin/jest.js');
// The product and its tests are native ES modules: jest needs Node's VM modules.
const NODE_ARGS = ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'];
const args = process.argv.slice(2);

/** The test files these arguments select, or undefined when jest cannot say. */
function selectedSuites(): string[] | undefined {
  const r = spawnSync(process.execPath, [...NODE_ARGS, JEST, ...args, '--listTests', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) return undefined;
  const line = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('['));
  try {
    const files: unknown = JSON.parse(line ?? '');
    return Array.isArray(files) && files.every((f) => typeof f === 'string') ? files : undefined;
  } catch {
    return undefined;
  }
}

function ensureBundles(): void {
  const suites = args.length === 0 ? undefined : selectedSuites();
  if (suites && !suites.some((f) => usesBundles(f))) return;
  const stale = TARGET_NAMES.flatMap((name) => {
    const why = staleReason(name);
    return why === undefined ? [] : [{ name, why }];
  });
  if (stale.length === 0) return;
  const what = stale.map((s) => `${TARGETS[s.name].dir}/ (${s.why})`).join(' and ');
  const how = stale.map((s) => `npm run ${TARGETS[s.name].script}`).join(' && ');
  process.stdout.write(`npm test: stale bundles in ${what}: rebuilding them (${how}) first.\n`);
  for (const s of stale) {
    const error = buildTarget(s.name, true);
    if (error !== undefined) {
      process.stderr.write(
        `npm test: ${error}\nThe suites that run the bundles cannot run until it builds; ` +
          `in-process suites can (npm test -- __tests__/core __tests__/simulator).\n`,
      );
      process.exit(1);
    }
  }
}

ensureBundles();

const jest = spawn(process.execPath, [...NODE_ARGS, JEST, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => jest.kill(signal));
jest.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
});
