/** End-to-end helpers: the runner-style launcher of dist/index.js, and request-log views. */
import type { Simulator } from '../../src/simulator/index.ts';

export * from '../../scripts/lib/action-runner.ts';

/** Writes (PUT/POST/PATCH/DELETE) the simulator's ARM side received, by operation name. */
export function armWrites(sim: Simulator, sinceSeq = 0): string[] {
  return sim.log
    .list(sinceSeq)
    .filter((e) => e.service === 'arm' && e.method !== 'GET' && !e.dropped)
    .map((e) => e.operation ?? `${e.method} ${e.path}`);
}

export function armReads(sim: Simulator, sinceSeq = 0): number {
  return sim.log.list(sinceSeq).filter((e) => e.service === 'arm' && e.method === 'GET').length;
}
