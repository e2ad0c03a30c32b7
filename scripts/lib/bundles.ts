/**
 * The committed bundles and the content stamp that says what they were built from.
 *
 * Each target (the Action and CLI in dist/, the Azure DevOps task in tasks/AksGuardV1/dist/) is
 * built by its own npm script, which also writes `sources.sha256` next to the bundles: a SHA-256
 * over everything the bundles are built from. `npm test` recomputes it and rebuilds a target whose
 * stamp differs, so the end-to-end suites never run bundles older than the sources.
 *
 * The stamp depends on file contents only (no mtimes, no absolute paths, paths sorted by code unit,
 * CRLF read as LF), so a fresh clone on any machine computes the committed value, and a rebuild
 * rewrites the same bytes (which `.ci/run`'s "bundles are up to date" check relies on).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** One `ncc build`: entry, output folder, and the licence file ncc writes there. */
export interface NccBuild {
  entry: string;
  out: string;
  license?: string;
}

export interface Target {
  /** The npm script that builds it (and writes its stamp). */
  script: string;
  /** The folder holding its bundles and its stamp. */
  dir: string;
  /**
   * Run in this order: ncc deletes every .js under its output folder, dist/cli included, before
   * it writes, so the outer folder comes first.
   */
  builds: NccBuild[];
}

export const TARGETS = {
  dist: {
    script: 'build',
    dir: 'dist',
    builds: [
      { entry: 'src/github/index.ts', out: 'dist', license: 'licenses.txt' },
      { entry: 'src/cli/index.ts', out: 'dist/cli' },
    ],
  },
  task: {
    script: 'package:ado',
    dir: 'tasks/AksGuardV1/dist',
    builds: [
      {
        entry: 'src/azure-pipelines/index.ts',
        out: 'tasks/AksGuardV1/dist',
        license: 'licenses.txt',
      },
    ],
  },
} as const satisfies Record<string, Target>;

export type TargetName = keyof typeof TARGETS;
export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

export const STAMP_FILE = 'sources.sha256';

/**
 * The source folder the bundles are built from, and the folders under it no bundle imports (the
 * simulator is for the tests, the demo and the benchmark; a test walks the entries' imports to
 * keep that true).
 */
export const SOURCE_DIR = 'src';
export const NOT_BUNDLED = ['src/simulator/'];
/** Files at the root that decide how the sources become bundles: dependencies, compiler options. */
export const BUILD_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];

const STAMP_VERSION = 'aks-guard bundle stamp 1';

export const stampPath = (target: TargetName, root = ROOT): string =>
  path.join(root, TARGETS[target].dir, STAMP_FILE);

/** The files under src/ a bundle may be built from: sorted, `/`-separated, relative to root. */
export function sourceFiles(root = ROOT): string[] {
  const dir = path.join(root, SOURCE_DIR);
  if (!existsSync(dir)) return [];
  return (
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      // Editor and OS litter (.DS_Store, .swp files) is never imported.
      .filter((p) => !p.split('/').some((part) => part.startsWith('.')))
      .filter((p) => !NOT_BUNDLED.some((prefix) => p.startsWith(prefix)))
      .sort(byCodeUnit)
  );
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A file's content as the stamp sees it: CRLF read as LF (a Windows checkout hashes the same). */
function contentHash(rel: string, root: string): string {
  const file = path.join(root, rel);
  if (!existsSync(file)) return 'missing';
  let text = readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  if (rel === 'package.json') {
    // Its scripts only name scripts/build.ts, whose ncc commands are hashed as data below; the
    // rest (module type, dependencies, overrides) can change what the bundles contain.
    try {
      const pkg = JSON.parse(text) as Record<string, unknown>;
      delete pkg.scripts;
      text = JSON.stringify(pkg);
    } catch {
      // Hash it as it is: npm will say what is wrong with it.
    }
  }
  return createHash('sha256').update(text).digest('hex');
}

/** The SHA-256 (hex) of everything the target's bundles are built from. */
export function computeStamp(target: TargetName, root = ROOT): string {
  const hash = createHash('sha256');
  hash.update(`${STAMP_VERSION}\n`);
  hash.update(`builds ${JSON.stringify(TARGETS[target].builds)}\n`);
  for (const rel of [...BUILD_FILES, ...sourceFiles(root)])
    hash.update(`${rel}\n${contentHash(rel, root)}\n`);
  return hash.digest('hex');
}

export function stampText(target: TargetName, stamp: string): string {
  const t = TARGETS[target];
  return (
    `# SHA-256 of the sources \`npm run ${t.script}\` built ${t.dir}/ from (scripts/lib/bundles.ts);\n` +
    `# npm test rebuilds ${t.dir}/ when they no longer match it. Commit it with the bundles.\n` +
    `${stamp}\n`
  );
}

/** The stamp a target was built with, or undefined when there is none. */
export function readStamp(target: TargetName, root = ROOT): string | undefined {
  const file = stampPath(target, root);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^[0-9a-f]{64}$/.test(l));
}

/** Why the target must be rebuilt before the bundles are run, or undefined when it is current. */
export function staleReason(target: TargetName, root = ROOT): string | undefined {
  const t = TARGETS[target];
  const missing = t.builds
    .map((b) => `${b.out}/index.js`)
    .filter((f) => !existsSync(path.join(root, f)));
  if (missing.length > 0) return `${missing.join(', ')} missing`;
  const built = readStamp(target, root);
  if (built === undefined) return `no ${t.dir}/${STAMP_FILE}`;
  if (built !== computeStamp(target, root)) return 'built from other sources';
  return undefined;
}

/**
 * Builds a target with ncc and writes its stamp. The stamp is computed before ncc runs: if a
 * source changes during the build, the bundles may hold its earlier text, and the stamp says so
 * (the next `npm test` rebuilds). With `quiet`, ncc's output is shown only when it fails. Returns
 * an error message, or undefined on success.
 */
export function buildTarget(target: TargetName, quiet: boolean, root = ROOT): string | undefined {
  const t: Target = TARGETS[target];
  const ncc = createRequire(import.meta.url).resolve('@vercel/ncc/dist/ncc/cli.js');
  const before = computeStamp(target, root);
  for (const b of t.builds) {
    const args = ['build', b.entry, '-o', b.out, ...(b.license ? ['--license', b.license] : [])];
    const r = spawnSync(process.execPath, [ncc, ...args], {
      cwd: root,
      stdio: quiet ? 'pipe' : 'inherit',
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      if (quiet) process.stderr.write(`${r.stdout}${r.stderr}`);
      return `ncc ${args.join(' ')} failed (${r.status ?? r.signal}): ${t.dir}/ is not up to date.`;
    }
  }
  writeFileSync(stampPath(target, root), stampText(target, before));
  if (computeStamp(target, root) !== before)
    process.stderr.write(
      `The sources changed during the build: ${t.dir}/ may hold their earlier text; npm test will rebuild it.\n`,
    );
  return undefined;
}

/**
 * A string that names a bundle's folder: `dist` followed by `/` or a quote, not inside a word
 * (`'dist/index.js'`, `${TASK_DIR}/dist/index.js`, `path.join(ROOT, 'dist', …)`).
 */
const BUNDLE_MARK = /(?<![\w-])dist(?=[/'"`])/;
const RELATIVE_IMPORT = /\b(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/**
 * Whether a test file runs the bundles: it, or a test helper or script it imports (transitively),
 * names a bundle's folder. Product sources (src/) never run a bundle and are not followed, so the
 * in-process suites (core, simulator) run while the bundles do not build.
 */
export function usesBundles(testFile: string, root = ROOT): boolean {
  const followed = [path.join(root, '__tests__'), path.join(root, 'scripts')];
  // This file names the bundles' folders but runs none: a test of the stamp is not a bundle suite.
  const seen = new Set<string>([fileURLToPath(import.meta.url)]);
  const queue = [path.resolve(root, testFile)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (BUNDLE_MARK.test(text)) return true;
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (followed.some((dir) => target.startsWith(dir + path.sep))) queue.push(target);
    }
  }
  return false;
}
