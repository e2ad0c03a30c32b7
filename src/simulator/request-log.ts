/** Every request the simulator answered, so tests can assert on what a client really sent. */
export interface LoggedRequest {
  seq?: number;
  time: string;
  method: string;
  host: string;
  path: string;
  apiVersion?: string | undefined;
  service: string;
  /** ARM operation id style name, e.g. ManagedClusters_Get; undefined when not recognised. */
  operation?: string | undefined;
  principal?: string | undefined;
  /** The If-Match header, when the client sent one (optimistic concurrency). */
  ifMatch?: string;
  userAgent?: string;
  status: number;
  durationMs: number;
  dropped: boolean;
}

const MAX_ENTRIES = 20000;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  record(entry: LoggedRequest): void {
    this.entries.push({ ...entry, seq: ++this.seq });
    if (this.entries.length > MAX_ENTRIES)
      this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(sinceSeq = 0): LoggedRequest[] {
    return this.entries.filter((e) => (e.seq ?? 0) > sinceSeq);
  }

  /** Counts by operation name (or METHOD host path when unnamed), e.g. for "no duplicate writes". */
  counts(sinceSeq = 0): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.list(sinceSeq)) {
      const key = e.operation ?? `${e.method} ${e.host}${e.path}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  clear(): void {
    this.entries = [];
  }

  get lastSeq(): number {
    return this.seq;
  }
}
