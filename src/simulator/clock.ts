/**
 * Simulated time. Everything time-dependent in the simulator (operation progress, token expiry,
 * throttling refill) reads this clock, so a test can jump ahead without sleeping.
 */
export class Clock {
  private offsetMs = 0;
  private readonly source: () => number;

  /** `source` is the underlying time; a fixed function makes a clock that only moves on advance(). */
  constructor(source: () => number = Date.now) {
    this.source = source;
  }

  static frozen(atMs = Date.UTC(2026, 10, 24, 12, 0, 0)): Clock {
    return new Clock(() => atMs);
  }

  now(): number {
    return this.source() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.offsetMs += ms;
  }

  iso(ms: number = this.now()): string {
    return new Date(ms).toISOString();
  }
}
