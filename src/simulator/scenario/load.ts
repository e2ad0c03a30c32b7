/** Finds, merges (`extends`) and validates scenario files. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { scenarioSchema, type Scenario } from './schema.ts';

/** scenarios/ at the repository root, next to src/. */
export const SCENARIO_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../scenarios',
);

export class ScenarioError extends Error {}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Overlays `over` on `base`. Objects merge key by key and arrays merge element by element, so a
 * scenario can say "like idle, but the first cluster is upgrading" without repeating the cluster.
 */
export function overlay(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (Array.isArray(base) && Array.isArray(over)) {
    const length = Math.max(base.length, over.length);
    return Array.from({ length }, (_, i) => overlay(base[i], over[i]));
  }
  if (
    base &&
    over &&
    typeof base === 'object' &&
    typeof over === 'object' &&
    !Array.isArray(base) &&
    !Array.isArray(over)
  ) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over as Record<string, unknown>))
      out[k] = overlay(out[k], v);
    return out;
  }
  return over;
}

export function listScenarios(): { name: string; description: string }[] {
  if (!existsSync(SCENARIO_DIR)) return [];
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -5);
      try {
        const raw = JSON.parse(readFileSync(path.join(SCENARIO_DIR, f), 'utf8')) as {
          description?: string;
        };
        return { name, description: raw.description ?? '' };
      } catch {
        return { name, description: '(unreadable)' };
      }
    });
}

function readRaw(nameOrPath: string, seen: string[]): Record<string, Json> {
  const file =
    nameOrPath.endsWith('.json') || nameOrPath.includes('/')
      ? path.resolve(nameOrPath)
      : path.join(SCENARIO_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    const known = listScenarios()
      .map((s) => s.name)
      .join(', ');
    throw new ScenarioError(
      `Unknown scenario "${nameOrPath}". Known scenarios: ${known || '(none)'}; or give a path to a .json file.`,
    );
  }
  if (seen.includes(file))
    throw new ScenarioError(`Scenario "${nameOrPath}" extends itself (${seen.join(' -> ')}).`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ScenarioError(
      `Scenario file ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ScenarioError(`Scenario file ${file} must hold a JSON object.`);
  const obj = raw as Record<string, Json>;
  if (typeof obj.extends === 'string') {
    const base = readRaw(obj.extends, [...seen, file]);
    const { extends: _e, ...rest } = obj;
    return overlay(base, rest) as Record<string, Json>;
  }
  return obj;
}

/** Loads a scenario by name (scenarios/NAME.json) or path, applying `extends` and then `overrides`. */
export function loadScenario(nameOrPath: string, overrides?: unknown): Scenario {
  const raw = overlay(readRaw(nameOrPath, []), overrides);
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ScenarioError(
      `Scenario "${nameOrPath}" is invalid:\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
