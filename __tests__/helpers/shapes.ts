/**
 * Compares a response with an official REST example by shape: every key the example has must be
 * present with the same JSON type. Arrays of objects are compared as the union of their
 * elements' keys (optional fields such as isPreview appear on some elements only), and objects
 * whose keys are data (maps like patchVersions) as the union of their values.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function union(values: unknown[]): unknown {
  if (values.length === 0) return undefined;
  if (values.every((v) => kind(v) === 'object')) {
    const out: Record<string, unknown[]> = {};
    for (const v of values as Record<string, unknown>[])
      for (const [k, x] of Object.entries(v)) (out[k] ??= []).push(x);
    return Object.fromEntries(Object.entries(out).map(([k, xs]) => [k, union(xs)]));
  }
  if (values.every((v) => kind(v) === 'array'))
    return [union((values as unknown[][]).flat())].filter((x) => x !== undefined);
  return values[0];
}

export function shapeProblems(
  example: unknown,
  actual: unknown,
  maps: RegExp[] = [],
  path = '$',
): string[] {
  if (kind(example) !== kind(actual))
    return [`${path}: expected ${kind(example)}, got ${kind(actual)}`];
  if (Array.isArray(example)) {
    const a = actual as unknown[];
    if (example.length === 0) return [];
    if (a.length === 0) return [`${path}: expected a non-empty array`];
    return shapeProblems(union(example), union(a), maps, `${path}[]`);
  }
  if (kind(example) === 'object') {
    const e = example as Record<string, Json>;
    const a = actual as Record<string, unknown>;
    if (maps.some((m) => m.test(path))) {
      const ev = Object.values(e);
      const av = Object.values(a);
      if (ev.length === 0) return [];
      if (av.length === 0) return [`${path}: expected a non-empty map`];
      return shapeProblems(union(ev), union(av), maps, `${path}{}`);
    }
    return Object.entries(e).flatMap(([k, v]) =>
      k in a ? shapeProblems(v, a[k], maps, `${path}.${k}`) : [`${path}.${k}: missing`],
    );
  }
  return [];
}

/** An ARM URL reduced to its template: host, ids, location and api-version replaced. */
export function urlTemplate(url: string): string {
  const u = new URL(url);
  const path = u.pathname
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{guid}')
    .replace(/\/[0-9a-f]{32}(?=\/|$)/gi, '/{id}')
    .replace(/\/locations\/[^/]+/i, '/locations/{location}')
    .replace(/\/resourceGroups\/[^/]+/i, '/resourceGroups/{rg}')
    .replace(/\/managedClusters\/[^/]+/i, '/managedClusters/{cluster}');
  return `${path}?api-version=${u.searchParams.has('api-version') ? '{version}' : 'missing'}`;
}
