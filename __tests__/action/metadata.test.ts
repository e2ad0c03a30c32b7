/**
 * action.yml, the code and the README agree: every input the code reads is declared, described and
 * has a quoted default where it has one; every output the code sets is declared; the README's
 * tables match action.yml.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { actionYml, ROOT } from '../helpers/action.ts';
import { INPUT_NAMES, OPERATIONS, parseSettings } from '../../src/core/settings.ts';
import { outputsOf } from '../../src/core/outputs.ts';

const yml = actionYml();
const raw = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** Rows of the Markdown table that follows a heading: first cell (unquoted) → the other cells. */
function tableAfter(heading: string): Map<string, string[]> {
  const start = readme.indexOf(`${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, string[]>();
  for (const line of readme.slice(start).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const m = /^\| `([a-z-]+)` \|(.*)\|$/.exec(line);
    if (m)
      rows.set(
        m[1]!,
        m[2]!.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|')),
      );
  }
  return rows;
}

describe('the bundles', () => {
  test('the Action never loads azure-pipelines-task-lib (it empties INPUT_* when imported)', () => {
    const bundle = readFileSync(path.join(ROOT, 'dist/index.js'), 'utf8');
    expect(bundle).not.toContain('_vsts_task_lib_loaded');
    const task = readFileSync(path.join(ROOT, 'tasks/AksGuardV1/dist/index.js'), 'utf8');
    expect(task).toContain('_vsts_task_lib_loaded');
  });
});

describe('action.yml', () => {
  test('runs on node24 from the bundle, with branding', () => {
    const doc = yml as unknown as {
      runs: { using: string; main: string };
      branding: { icon: string; color: string };
    };
    expect(doc.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(doc.branding.icon).toBeTruthy();
    expect(doc.branding.color).toBeTruthy();
  });

  test('declares exactly the inputs the code reads, each described, defaults quoted', () => {
    const read = new Set<string>();
    try {
      parseSettings({
        get: (name) => {
          read.add(name);
          return '';
        },
        env: {},
        defaultAuthType: 'oidc',
      });
    } catch {
      // Required inputs are missing here; only the names asked for matter.
    }
    expect(Object.keys(yml.inputs).sort()).toEqual([...read].sort());
    expect([...INPUT_NAMES].sort()).toEqual([...read].sort());
    for (const [name, spec] of Object.entries(yml.inputs)) {
      expect(spec.description.length).toBeGreaterThan(10);
      if (spec.default !== undefined)
        expect(raw).toMatch(new RegExp(`  ${name}:\\n(?:    .*\\n)*?    default: '`));
    }
  });

  test('declares exactly the outputs the Action sets, each described', () => {
    const set = Object.keys(
      outputsOf(
        parseSettingsFor({ 'resource-group': 'rg', 'cluster-name': 'c', 'auth-type': 'azure-cli' }),
        {
          result: 'succeeded',
          message: '',
          failed: false,
          waitedSeconds: 0,
          plan: [],
          performed: [],
          timeline: [],
        },
      ),
    );
    expect(Object.keys(yml.outputs).sort()).toEqual(set.sort());
    for (const spec of Object.values(yml.outputs))
      expect(spec.description.length).toBeGreaterThan(10);
  });
});

function parseSettingsFor(inputs: Record<string, string>) {
  return parseSettings({
    get: (name) => inputs[name] ?? '',
    env: { AZURE_SUBSCRIPTION_ID: '0f3c6a2e-9b7d-4e1f-8a5c-2d4b6e8f1a3c' },
    defaultAuthType: 'oidc',
  }).settings;
}

describe('README', () => {
  test('its inputs table matches action.yml: names, defaults and descriptions', () => {
    const rows = tableAfter('### Inputs');
    expect([...rows.keys()]).toEqual(Object.keys(yml.inputs));
    for (const [name, spec] of Object.entries(yml.inputs)) {
      const [def, description] = rows.get(name)!;
      const expected = spec.default ? `\`${spec.default}\`` : spec.required ? 'required' : '';
      expect({ name, def }).toEqual({ name, def: expected });
      expect(description).toBe(spec.description);
    }
  });

  test('its outputs table matches action.yml', () => {
    const rows = tableAfter('### Outputs');
    expect([...rows.keys()]).toEqual(Object.keys(yml.outputs));
    for (const [name, spec] of Object.entries(yml.outputs))
      expect(rows.get(name)![0]).toBe(spec.description);
  });

  test('every operation has a row in the permissions table', () => {
    const section = readme.slice(readme.indexOf('### Permissions'));
    for (const op of OPERATIONS) expect(section).toContain(`\`${op}\``);
  });
});
