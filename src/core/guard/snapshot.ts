/**
 * What the run last read of the cluster, and the latest operation of the cluster and each pool
 * for that read (operations/latest is asked once per resource per read, not once per question).
 */
import type { AksApi, ClusterView, OperationStatus } from '../aks/api.ts';
import type { Reporter } from '../reporter.ts';

export type Latest = OperationStatus | 'unavailable' | undefined;

export class Snapshot {
  /** The latest view of the cluster this run read. */
  current: ClusterView | undefined;
  /** Whether this run wrote (or aborted) anything since it last read the cluster. */
  dirty = false;
  private readonly cache = new Map<string, Latest>();
  private readonly api: AksApi;
  private readonly r: Reporter;

  constructor(api: AksApi, reporter: Reporter) {
    this.api = api;
    this.r = reporter;
  }

  /** Reads the cluster; every later decision uses this fresh view. */
  async read(): Promise<ClusterView> {
    const c = await this.api.getCluster();
    this.current = c;
    this.dirty = false;
    this.cache.clear();
    return c;
  }

  /** operations/latest of the cluster or a pool, once per read; undefined when it failed. */
  async latestOf(pool: string | undefined): Promise<Latest> {
    const key = pool?.toLowerCase() ?? '';
    if (this.cache.has(key)) return this.cache.get(key);
    const op = await this.api.operation('latest', pool).catch((err: unknown) => {
      this.r.debug(`operations/latest failed: ${String(err)}`);
      return undefined;
    });
    this.cache.set(key, op);
    return op;
  }

  /** The run changed something: the next outcome reads the cluster again. */
  wrote(): void {
    this.dirty = true;
  }
}
