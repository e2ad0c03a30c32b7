/**
 * The Kubernetes versions a simulated region offers, and the upgrade rules AKS applies to them:
 * patch upgrades within a minor, or any patch of the next minor; never a skip, never a downgrade.
 */
export interface MinorVersion {
  version: string; // "1.34"
  patches: string[]; // ascending, e.g. ["1.34.2", "1.34.4"]
  isDefault?: boolean;
  isPreview?: boolean;
}

export const DEFAULT_VERSION_CATALOG: MinorVersion[] = [
  { version: '1.33', patches: ['1.33.3', '1.33.5'] },
  { version: '1.34', patches: ['1.34.2', '1.34.4'], isDefault: true },
  { version: '1.35', patches: ['1.35.1', '1.35.3'] },
  { version: '1.36', patches: ['1.36.0'], isPreview: true },
];

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(v: string): SemVer | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v.trim());
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? -1 : Number(m[3]),
  };
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return a.localeCompare(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

export function minorOf(v: string): string {
  const p = parseVersion(v);
  return p ? `${p.major}.${p.minor}` : v;
}

export class VersionCatalog {
  readonly minors: MinorVersion[];

  constructor(minors: MinorVersion[]) {
    this.minors = minors;
  }

  private allPatches(): { version: string; minor: MinorVersion }[] {
    return this.minors.flatMap((m) => m.patches.map((version) => ({ version, minor: m })));
  }

  defaultVersion(): string {
    const m = this.minors.find((x) => x.isDefault) ?? this.minors[this.minors.length - 1];
    const latest = m?.patches[m.patches.length - 1];
    if (!latest) throw new Error('the version catalog is empty');
    return latest;
  }

  /**
   * Resolves what a user asked for ("1.34", "1.34.4", "") into a concrete patch, as AKS does:
   * a minor means its latest patch. Returns undefined when the region does not offer it.
   */
  resolve(requested: string | undefined): string | undefined {
    if (!requested) return this.defaultVersion();
    const p = parseVersion(requested);
    if (!p) return undefined;
    if (p.patch === -1) {
      const m = this.minors.find((x) => x.version === `${p.major}.${p.minor}`);
      return m?.patches[m.patches.length - 1];
    }
    return this.allPatches().find((x) => x.version === requested)?.version;
  }

  isPreview(version: string): boolean {
    return this.minors.find((m) => m.version === minorOf(version))?.isPreview === true;
  }

  /** Versions `from` may upgrade to: later patches of its minor and every patch of the next minor. */
  upgradesFrom(from: string): string[] {
    const f = parseVersion(from);
    if (!f) return [];
    return this.allPatches()
      .map((x) => x.version)
      .filter((v) => {
        const t = parseVersion(v)!;
        if (t.major !== f.major) return false;
        if (t.minor === f.minor) return t.patch > f.patch;
        return t.minor === f.minor + 1;
      });
  }

  /** Why an upgrade from `from` to `to` is refused, or undefined when AKS would allow it. */
  upgradeRefusal(from: string, to: string): 'downgrade' | 'skip' | undefined {
    if (from === to) return undefined;
    if (compareVersions(to, from) < 0) return 'downgrade';
    const f = parseVersion(from);
    const t = parseVersion(to);
    if (f && t && (t.major !== f.major || t.minor > f.minor + 1)) return 'skip';
    return undefined;
  }
}
