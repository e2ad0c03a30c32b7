/**
 * ARM's request throttling: token buckets per principal and subscription for reads and writes,
 * plus AKS's own bucket for writes to one cluster. Every answer carries the remaining-request
 * headers; an empty bucket answers 429 with Retry-After.
 */
import type { Clock } from '../clock.ts';
import { armError } from './errors.ts';

export interface BucketConfig {
  capacity: number;
  refillPerSecond: number;
}

export interface ThrottleConfig {
  reads: BucketConfig;
  writes: BucketConfig;
  /** AKS allows a burst of cluster writes, refilled slowly (about 1 per minute). */
  clusterWrites: BucketConfig;
}

/** Azure's current defaults: per principal, subscription and region. */
export const DEFAULT_THROTTLING: ThrottleConfig = {
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  clusterWrites: { capacity: 20, refillPerSecond: 1 / 60 },
};

class Bucket {
  private tokens: number;
  private last: number;
  private readonly cfg: BucketConfig;

  constructor(cfg: BucketConfig, now: number) {
    this.cfg = cfg;
    this.tokens = cfg.capacity;
    this.last = now;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.cfg.capacity, this.tokens + elapsed * this.cfg.refillPerSecond);
    this.last = now;
  }

  /** Takes a token; returns the remaining count, or the seconds until one is available. */
  take(now: number): { ok: true; remaining: number } | { ok: false; retryAfter: number } {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true, remaining: Math.floor(this.tokens) };
    }
    const retryAfter =
      this.cfg.refillPerSecond > 0 ? Math.ceil((1 - this.tokens) / this.cfg.refillPerSecond) : 3600;
    return { ok: false, retryAfter: Math.max(1, retryAfter) };
  }
}

export class Throttler {
  private buckets = new Map<string, Bucket>();

  private readonly clock: Clock;
  readonly config: ThrottleConfig;

  constructor(clock: Clock, config: ThrottleConfig) {
    this.clock = clock;
    this.config = config;
  }

  private bucket(key: string, cfg: BucketConfig): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new Bucket(cfg, this.clock.now());
      this.buckets.set(key, b);
    }
    return b;
  }

  /**
   * Charges one ARM request. Returns the headers to send; throws the 429 when the bucket is empty.
   */
  charge(
    kind: 'read' | 'write',
    principalId: string,
    subscriptionId: string,
  ): Record<string, string> {
    const cfg = kind === 'read' ? this.config.reads : this.config.writes;
    const result = this.bucket(`${kind}/${principalId}/${subscriptionId}`.toLowerCase(), cfg).take(
      this.clock.now(),
    );
    const name = kind === 'read' ? 'reads' : 'writes';
    if (!result.ok) {
      throw armError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of '${kind}' requests for subscription '${subscriptionId}' actor '${principalId}' exceeded. Please try again after '${result.retryAfter}' seconds after the last request. Please see https://aka.ms/ARMThrottling for more details.`,
        {
          headers: {
            'Retry-After': String(result.retryAfter),
            [`x-ms-ratelimit-remaining-subscription-${name}`]: '0',
            [`x-ms-ratelimit-remaining-subscription-global-${name}`]: '0',
          },
        },
      );
    }
    return {
      [`x-ms-ratelimit-remaining-subscription-${name}`]: String(result.remaining),
      [`x-ms-ratelimit-remaining-subscription-global-${name}`]: String(result.remaining),
    };
  }

  /** AKS's per-cluster write limit, checked after ARM let the request through. */
  chargeClusterWrite(clusterKey: string): void {
    const result = this.bucket(`cluster/${clusterKey}`, this.config.clusterWrites).take(
      this.clock.now(),
    );
    if (!result.ok) {
      throw armError(
        429,
        'Throttled',
        `Too many requests on managed cluster. Please retry after ${result.retryAfter} seconds.`,
        { headers: { 'Retry-After': String(result.retryAfter) } },
      );
    }
  }
}
