/**
 * `npm run package:vsix`: the Azure DevOps extension (.vsix) holds the manifests naming the
 * extension and its task contribution, the task folder as built (task.json, the bundle and its
 * chunks), and the icon. Packaging runs in a temporary copy of the repository (sources, scripts and
 * what vss-extension.json lists, node_modules linked): it rebuilds the task bundle, and must not
 * rewrite tasks/AksGuardV1/dist while the task's own tests run it.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { unzipSync } from 'fflate';
import { ROOT } from '../helpers/action.ts';

const TASK_DIR = 'tasks/AksGuardV1';
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'src', 'scripts'];

interface ExtensionManifest {
  id: string;
  publisher: string;
  version: string;
  icons: Record<string, string>;
  content?: Record<string, { path: string }>;
  files: { path: string }[];
  contributions: { id: string; type: string; targets: string[]; properties: { name: string } }[];
}

interface TaskJson {
  id: string;
  name: string;
  version: { Major: number; Minor: number; Patch: number };
  execution?: Record<string, { target: string }>;
}

const manifest = JSON.parse(
  readFileSync(path.join(ROOT, 'vss-extension.json'), 'utf8'),
) as ExtensionManifest;
const VSIX_NAME = `${manifest.publisher}.${manifest.id}-${manifest.version}.vsix`;

/** The repository's task.json, read now: the task is written separately from its packaging. */
function repoTaskJson(): TaskJson {
  const file = path.join(ROOT, TASK_DIR, 'task.json');
  if (!existsSync(file))
    throw new Error(
      `${TASK_DIR}/task.json does not exist: the extension has no task to package. ` +
        `vss-extension.json contributes the task in ${TASK_DIR}.`,
    );
  return JSON.parse(readFileSync(file, 'utf8')) as TaskJson;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run <script> -- args` in dir, never throwing: the result says what happened. */
function npmRun(dir: string, script: string, args: string[]): Promise<Run> {
  // Under `npm test`, npm_execpath is npm's CLI script: run it with this Node, no shell needed.
  const npm = process.env.npm_execpath;
  const [cmd, argv] = npm
    ? [process.execPath, [npm, 'run', script, '--', ...args]]
    : ['npm', ['run', script, '--', ...args]];
  return new Promise((resolve) => {
    execFile(
      cmd,
      argv,
      {
        cwd: dir,
        // ncc caches per working folder under ~/.cache: keep this throwaway folder's cache in it.
        env: { ...process.env, XDG_CACHE_HOME: path.join(dir, '.cache') },
        maxBuffer: 16 * 1024 * 1024,
        shell: !npm && process.platform === 'win32',
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

/** A copy of the repository with what packaging reads; no task bundle unless built there. */
function copyRepo(parts: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-vsix-'));
  for (const part of parts)
    cpSync(path.join(ROOT, part), path.join(dir, part), {
      recursive: true,
      filter: (src) => path.relative(path.join(ROOT, TASK_DIR), src) !== 'dist',
    });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
  return dir;
}

function manifestParts(): string[] {
  return [
    'vss-extension.json',
    ...manifest.files.map((f) => f.path),
    ...Object.values(manifest.icons),
    ...Object.values(manifest.content ?? {}).map((c) => c.path),
  ];
}

function filesUnder(dir: string, prefix: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.posix.join(prefix, path.relative(dir, path.join(e.parentPath, e.name))))
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

describe('npm run package:vsix', () => {
  let copy: string;
  let run: Run;
  let vsix: Record<string, Uint8Array>;
  let task: TaskJson;

  beforeAll(async () => {
    task = repoTaskJson();
    copy = copyRepo([...BUILD_INPUTS, ...manifestParts()]);
    run = await npmRun(copy, 'package:vsix', []);
    const file = path.join(copy, 'out', VSIX_NAME);
    if (run.code !== 0 || !existsSync(file))
      throw new Error(
        `npm run package:vsix failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`,
      );
    vsix = unzipSync(readFileSync(file));
  }, 180_000);

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  test(`writes out/${VSIX_NAME}, and only that, and says where`, () => {
    expect(readdirSync(path.join(copy, 'out'))).toEqual([VSIX_NAME]);
    expect(run.stdout).toContain(`out/${VSIX_NAME} (`);
    expect(run.stdout + run.stderr).not.toMatch(/^warning:/m);
  });

  test('extension.vsixmanifest names the extension, its target and its icon', () => {
    const xml = text(vsix['extension.vsixmanifest']);
    const identity = /<Identity ([^>]*)\/>/.exec(xml)?.[1] ?? '';
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(identity)?.[1];
    expect({ id: attr('Id'), publisher: attr('Publisher'), version: attr('Version') }).toEqual({
      id: 'aks-guard',
      publisher: manifest.publisher,
      version: manifest.version,
    });
    expect(xml).toContain('<InstallationTarget Id="Microsoft.VisualStudio.Services"/>');
    expect(xml).toContain('<Icon>images/icon.png</Icon>');
    expect(xml).toMatch(
      /<Asset Type="Microsoft\.VisualStudio\.Services\.Icons\.Default" [^>]*Path="images\/icon\.png"/,
    );
  });

  test('extension.vsomanifest contributes the task in tasks/AksGuardV1', () => {
    const vso = JSON.parse(text(vsix['extension.vsomanifest'])) as Pick<
      ExtensionManifest,
      'contributions'
    >;
    expect(vso.contributions).toEqual([
      expect.objectContaining({
        type: 'ms.vss-distributed-task.task',
        targets: ['ms.vss-distributed-task.tasks'],
        properties: { name: TASK_DIR },
      }),
    ]);
  });

  test("holds the repository's task.json", () => {
    const packed = JSON.parse(text(vsix[`${TASK_DIR}/task.json`])) as TaskJson;
    expect({ id: packed.id, name: packed.name, version: packed.version }).toEqual({
      id: task.id,
      name: task.name,
      version: task.version,
    });
    expect(text(vsix[`${TASK_DIR}/task.json`])).toBe(
      readFileSync(path.join(ROOT, TASK_DIR, 'task.json'), 'utf8'),
    );
  });

  test('holds the freshly built task bundle, every file of it, and every execution target', () => {
    const bundle = vsix[`${TASK_DIR}/dist/index.js`];
    expect(bundle?.length).toBeGreaterThan(100_000);
    expect(text(bundle)).toContain('##vso[');
    expect(
      Buffer.from(bundle ?? []).equals(readFileSync(path.join(copy, TASK_DIR, 'dist/index.js'))),
    ).toBe(true);
    const packed = Object.keys(vsix)
      .filter((p) => p.startsWith(`${TASK_DIR}/`) && !p.endsWith('/'))
      .sort();
    expect(packed).toEqual(filesUnder(path.join(copy, TASK_DIR), TASK_DIR));
    const targets = Object.values(task.execution ?? {}).map((h) => h.target);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets)
      expect(packed).toContain(
        path.posix.join(TASK_DIR, target.replace(/^\$\(currentDirectory\)\//, '')),
      );
  });

  test('holds the 128x128 PNG icon', () => {
    const icon = vsix['images/icon.png'];
    expect(Buffer.from(icon ?? []).equals(readFileSync(path.join(ROOT, 'images/icon.png')))).toBe(
      true,
    );
    const png = Buffer.from(icon ?? []);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
  });

  test('holds nothing vss-extension.json does not list', () => {
    const listed = manifestParts().filter((p) => p !== 'vss-extension.json');
    const stray = Object.keys(vsix).filter(
      (p) =>
        !p.endsWith('/') &&
        !['[Content_Types].xml', 'extension.vsixmanifest', 'extension.vsomanifest'].includes(p) &&
        !listed.some((l) => p === l || p.startsWith(`${l}/`)),
    );
    expect(stray).toEqual([]);
  });
});

describe('package:vsix refuses what tfx only warns about', () => {
  let copy: string | undefined;
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  test('a task whose execution target is missing: exit 1, the warning, no .vsix', async () => {
    repoTaskJson();
    copy = copyRepo(['package.json', 'scripts', ...manifestParts()]);
    const run = await npmRun(copy, 'package:vsix', ['--skip-build']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/target references file that does not exist/);
    expect(run.stderr).toContain('no .vsix written');
    expect(readdirSync(path.join(copy, 'out'))).toEqual([]);
  }, 60_000);
});
