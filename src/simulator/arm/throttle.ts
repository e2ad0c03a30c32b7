/**
 * ARM's request throttling: token buckets per principal and subscription for reads and writes,
 * plus AKS's own bucket for writes to one cluster. Every answer carries the remaining-request
 * headers; an empty bucket answers 429 with Retry-After.
 */
import type { Clock } from '../clock.ts';
import { aksError, armError } from './errors.ts';
import type { HttpError } from '../net/http-kit.ts';

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

  /** Seconds until a token is available; 0 when one is there now. */
  wait(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) return 0;
    const seconds =
      this.cfg.refillPerSecond > 0 ? Math.ceil((1 - this.tokens) / this.cfg.refillPerSecond) : 3600;
    return Math.max(1, seconds);
  }

  take(): number {
    this.tokens -= 1;
    return Math.floor(this.tokens);
  }
}

/** ARM's global bucket per subscription is 15 times one principal's (all principals share it). */
const GLOBAL_FACTOR = 15;

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
   * Charges one ARM request against the principal's bucket and the subscription's global one
   * (or, without a subscription, the tenant's). Returns the remaining-request headers to send;
   * throws the 429 when a bucket is empty.
   */
  charge(
    kind: 'read' | 'write',
    principalId: string,
    subscriptionId: string | undefined,
  ): Record<string, string> {
    const cfg = kind === 'read' ? this.config.reads : this.config.writes;
    const name = kind === 'read' ? 'reads' : 'writes';
    const now = this.clock.now();
    if (subscriptionId === undefined) {
      const tenant = this.bucket(`${kind}/tenant/${principalId}`.toLowerCase(), cfg);
      const wait = tenant.wait(now);
      if (wait > 0)
        throw this.throttled(kind, 'tenant', principalId, wait, {
          [`x-ms-ratelimit-remaining-tenant-${name}`]: '0',
        });
      return { [`x-ms-ratelimit-remaining-tenant-${name}`]: String(tenant.take()) };
    }
    const own = this.bucket(`${kind}/${principalId}/${subscriptionId}`.toLowerCase(), cfg);
    const global = this.bucket(`${kind}/global/${subscriptionId}`.toLowerCase(), {
      capacity: cfg.capacity * GLOBAL_FACTOR,
      refillPerSecond: cfg.refillPerSecond * GLOBAL_FACTOR,
    });
    const wait = Math.max(own.wait(now), global.wait(now));
    if (wait > 0) {
      throw this.throttled(kind, `subscription '${subscriptionId}'`, principalId, wait, {
        [`x-ms-ratelimit-remaining-subscription-${name}`]: '0',
      });
    }
    return {
      [`x-ms-ratelimit-remaining-subscription-${name}`]: String(own.take()),
      [`x-ms-ratelimit-remaining-subscription-global-${name}`]: String(global.take()),
    };
  }

  private throttled(
    kind: string,
    scope: string,
    principalId: string,
    retryAfter: number,
    headers: Record<string, string>,
  ): HttpError {
    return armError(
      429,
      'SubscriptionRequestsThrottled',
      `Number of '${kind}' requests for ${scope} actor '${principalId}' exceeded. Please try again after '${retryAfter}' seconds after the last request. Please see https://aka.ms/ARMThrottling for more details.`,
      { headers: { 'Retry-After': String(retryAfter), ...headers } },
    );
  }

  /** AKS's per-cluster write limit, checked after ARM let the request through. */
  chargeClusterWrite(clusterKey: string): void {
    const bucket = this.bucket(`cluster/${clusterKey}`, this.config.clusterWrites);
    const wait = bucket.wait(this.clock.now());
    if (wait > 0) {
      throw aksError(
        429,
        'Throttled',
        `Too many requests on managed cluster. Please retry after ${wait} seconds.`,
        {
          headers: { 'Retry-After': String(wait) },
        },
      );
    }
    bucket.take();
  }
}
