/**
 * Held operations, so no end-to-end assertion depends on how fast the machine runs. An operation
 * "someone else" runs is made to stop progressing (a scenario operation's `stuckAtPercent`, a
 * scenario `stuck` rule, or an admin operation or race with `stuckAtPercent`): it stays InProgress
 * however long the run under test takes to start or to look at it. The test then lets it finish
 * (as the admin API's `complete` does) at a moment the run itself has shown: when it logs that it
 * is waiting for that operation, or when the request log shows what the test waits for.
 */
import type { Simulator } from '../../src/simulator/index.ts';
import type { Operation, OperationKind } from '../../src/simulator/aks/model.ts';
import { startOperationAs } from '../../src/simulator/scenario/build.ts';

/** Finishes the operation with this ID now (Succeeded). False when it is not in progress. */
export function complete(sim: Simulator, id: string): boolean {
  for (const cluster of sim.state.clusters.values()) {
    const op = cluster.operations.find((o) => o.id === id);
    if (!op) continue;
    sim.state.engine.advance(cluster);
    if (op.status !== 'InProgress') return false;
    sim.state.engine.completeNow(cluster, op);
    return true;
  }
  return false;
}

/**
 * Starts an operation on the first cluster as another pipeline would (the admin API's
 * `operations`), held at `stuckAtPercent` (default 99) until completed, failed or aborted.
 * Synchronous, so it can run inside a request-log listener.
 */
export function startHeld(
  sim: Simulator,
  spec: { type: OperationKind; pool?: string; kubernetesVersion?: string; count?: number },
  options: { durationSeconds?: number; stuckAtPercent?: number; startedBy?: string } = {},
): Operation {
  const cluster = [...sim.state.clusters.values()][0]!;
  const op = startOperationAs(
    sim.state,
    cluster,
    spec,
    options.startedBy ?? 'another pipeline (admin API)',
    (options.durationSeconds ?? 600) * 1000,
  );
  op.stuckAtPercent = options.stuckAtPercent ?? 99;
  return op;
}

export interface WaitRelease {
  /** Give it as `onLine` to runAction / runTask (or feed it a CLI's stderr lines). */
  onLine: (line: string) => void;
  /** IDs of the operations released, in order. */
  readonly released: string[];
}

const ANNOUNCED =
  /In progress: .*\(operation ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;
/** The waiter's progress line ("Scaling on node pool user: InProgress, 25%, running for 1s"). */
const WAITING = /: InProgress\b/;

/**
 * Releases each held operation the run says it waits for. The guard first announces it ("In
 * progress: Scaling on node pool user (operation ID, …)"), then logs its first progress line once
 * the wait has begun ("…: InProgress, …"); `afterMs` after that line the announced operation
 * completes. So the run has waited at least `afterMs` by its own clock (an assertion such as
 * waited-seconds >= 2 holds by construction), and the operation was still in progress whenever
 * the run looked at it before.
 */
export function releaseWhenWaiting(
  sim: Simulator,
  options: { afterMs?: number } = {},
): WaitRelease {
  const released: string[] = [];
  let announced: string | undefined;
  return {
    released,
    onLine(line) {
      const m = ANNOUNCED.exec(line);
      if (m) {
        announced = m[1]!;
        return;
      }
      if (!announced || !WAITING.test(line)) return;
      const id = announced;
      announced = undefined;
      const release = () => {
        if (complete(sim, id)) released.push(id);
      };
      if (options.afterMs) setTimeout(release, options.afterMs);
      else release();
    },
  };
}

/**
 * Releases the held operation `id` as soon as `ready()` holds (checked every 100 ms), e.g. once
 * the request log shows the run has outlived its first tokens. Call stop() when the run has ended.
 */
export function releaseWhen(
  sim: Simulator,
  id: string,
  ready: () => boolean,
): { stop(): void; readonly released: boolean } {
  let released = false;
  const timer = setInterval(() => {
    if (released || !ready()) return;
    released = complete(sim, id);
    if (released) clearInterval(timer);
  }, 100);
  return {
    stop: () => clearInterval(timer),
    get released() {
      return released;
    },
  };
}
