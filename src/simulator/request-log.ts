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
  /** Hung up before serving: nothing happened. */
  dropped: boolean;
  /** Served (a write applied), then the answer was lost: reset before it, or mid-body. */
  responseLost?: 'drop-response' | 'truncate-response';
}

const MAX_ENTRIES = 20000;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;
  private readonly listeners = new Set<(entry: LoggedRequest) => void>();

  record(entry: LoggedRequest): void {
    const logged = { ...entry, seq: ++this.seq };
    this.entries.push(logged);
    if (this.entries.length > MAX_ENTRIES)
      this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    for (const listener of this.listeners) listener(logged);
  }

  /**
   * Calls `listener` with each request as it is logged: synchronously, after the simulator has
   * decided the answer and before the client receives it. A test can react to a request at a
   * precise point (e.g. move a frozen clock on as a 429 is answered, before the client's retry)
   * instead of polling and racing the client. Listeners must not throw. Returns a function that
   * removes the listener.
   */
  onRecord(listener: (entry: LoggedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
