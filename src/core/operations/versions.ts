/** Kubernetes versions: comparison and the upgrade rules AKS applies (no downgrade, no skipped minor). */
import { ValidationError } from './step.ts';

interface V {
  major: number;
  minor: number;
  patch: number;
}

function parse(v: string): V {
  const [a = 0, b = 0, c = -1] = v.split('.').map(Number);
  return { major: a, minor: b, patch: c };
}

export function compareVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/**
 * Resolves "1.35" or "1.35.3" against the versions the control plane may move to, refusing
 * downgrades, skipped minors and versions the region does not offer with the list that is allowed.
 */
export function resolveUpgrade(
  from: string,
  requested: string,
  upgrades: string[],
  what: string,
): string {
  const req = parse(requested);
  const cur = parse(from);
  const exact = requested.split('.').length === 3;
  const candidates = [from, ...upgrades];
  const match = exact
    ? candidates.find((v) => v === requested)
    : candidates
        .filter((v) => parse(v).major === req.major && parse(v).minor === req.minor)
        .sort(compareVersions)
        .at(-1);
  if (match) return match;
  const allowed = upgrades.length
    ? upgrades.join(', ')
    : 'none (it is on the newest version the region offers)';
  if (compareVersions(requested, from) < 0) {
    throw new ValidationError(
      'DowngradeNotAllowed',
      `${what} runs ${from}; it cannot be downgraded to ${requested}. Upgrades available: ${allowed}.`,
    );
  }
  if (req.major === cur.major && req.minor > cur.minor + 1) {
    throw new ValidationError(
      'MinorVersionSkip',
      `${what} runs ${from}; AKS upgrades one minor version at a time, so ${requested} is not reachable directly. Upgrade to ${cur.major}.${cur.minor + 1} first. Upgrades available: ${allowed}.`,
    );
  }
  throw new ValidationError(
    'KubernetesVersionNotAvailable',
    `Kubernetes ${requested} is not an upgrade available to ${what} (running ${from}). Upgrades available: ${allowed}.`,
  );
}
