/**
 * The `context` of a run-command: the files it needs, zipped and base64-encoded, as
 * `az aks command invoke --file` sends them. A directory contributes its files, relative to it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';

/** AKS caps the request; refuse early with a clear message instead of a 400 from ARM. */
export const MAX_CONTEXT_BYTES = 4 * 1024 * 1024;

function collect(root: string, dir: string, out: Record<string, Uint8Array>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(root, full, out);
    else if (entry.isFile())
      out[path.relative(root, full).split(path.sep).join('/')] = readFileSync(full);
  }
}

export function buildContext(files: string[]): string | undefined {
  if (files.length === 0) return undefined;
  const entries: Record<string, Uint8Array> = {};
  for (const f of files) {
    if (statSync(f).isDirectory()) collect(f, f, entries);
    else entries[path.basename(f)] = readFileSync(f);
  }
  const zip = zipSync(entries, { level: 6 });
  if (zip.length > MAX_CONTEXT_BYTES) {
    throw new Error(
      `The files for run-command zip to ${zip.length} bytes; AKS accepts at most ${MAX_CONTEXT_BYTES}.`,
    );
  }
  return Buffer.from(zip).toString('base64');
}
