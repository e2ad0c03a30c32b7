/**
 * Simulated time. Everything time-dependent in the simulator (operation progress, token expiry,
 * throttling refill) reads this clock, so a test can jump ahead without sleeping.
 */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
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
