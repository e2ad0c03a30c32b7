/** Label and field selectors as the API server reads them (`?labelSelector=…&fieldSelector=…`). */
import type { KubeObject } from './objects.ts';

type Requirement = (labels: Record<string, string>) => boolean;

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`; throws on syntax it does not know. */
export function parseLabelSelector(text: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current);
  return parts.map((raw) => {
    const p = raw.trim();
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m) {
      const values = m[3]!.split(',').map((v) => v.trim());
      const key = m[1]!;
      return m[2] === 'in'
        ? (l) => key in l && values.includes(l[key]!)
        : (l) => !(key in l) || !values.includes(l[key]!);
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(p);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    m = /^(!?)([\w./-]+)$/.exec(p);
    if (m) {
      const key = m[2]!;
      return m[1] ? (l) => !(key in l) : (l) => key in l;
    }
    throw new Error(`unable to parse requirement: ${p}`);
  });
}

function field(o: KubeObject, path: string): string | undefined {
  let v: unknown = o;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  if (v === undefined) return path === 'spec.unschedulable' ? 'false' : '';
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** Parses `metadata.name=x,spec.nodeName!=y`. */
export function parseFieldSelector(text: string): ((o: KubeObject) => boolean)[] {
  return text
    .split(',')
    .filter((p) => p.trim())
    .map((raw) => {
      const m = /^\s*([\w.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
      if (!m) throw new Error(`invalid selector: '${raw}'; can't understand '${raw}'`);
      const [, path, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (o) => field(o, path) !== value : (o) => field(o, path) === value;
    });
}

export function select(
  items: KubeObject[],
  labelSelector: string | null,
  fieldSelector: string | null,
): KubeObject[] {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : [];
  return items.filter(
    (o) =>
      labels.every((r) => r((o.metadata.labels ?? {}) as Record<string, string>)) &&
      fields.every((f) => f(o)),
  );
}
