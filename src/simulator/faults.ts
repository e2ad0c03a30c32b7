/**
 * Injected faults: server errors, dropped connections and latency, matched by host, method and
 * path. Deterministic by default (skip/times); `probability` draws from a seeded generator so a
 * flaky scenario replays the same way every run.
 *
 * `drop` hangs up before the request is served (nothing happened). `drop-response` and
 * `truncate-response` serve the request first — a write is applied, an operation starts — and then
 * lose the answer: the connection is reset before the response, or after part of its body. That is
 * what makes a write ambiguous for a client: it cannot tell from the wire whether it landed.
 * `respond` answers with a given status, headers and body (hostile or odd payloads in tests).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimRequest, SimResponse } from './net/http-kit.ts';

export interface FaultRule {
  match?: { host?: string; method?: string; path?: string };
  action: 'error' | 'drop' | 'latency' | 'drop-response' | 'truncate-response' | 'respond';
  status?: number;
  /** For `respond`: the body (an object is sent as JSON, a string as text) and extra headers. */
  body?: unknown;
  headers?: Record<string, string>;
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  latencyMs?: number;
  /** Matching requests to let through before the fault starts. */
  skip?: number;
  /** Matching requests the fault affects; unlimited when absent. */
  times?: number;
  probability?: number;
}

interface ActiveRule extends FaultRule {
  seen: number;
  hits: number;
}

const DEFAULT_MESSAGES: Record<number, [string, string]> = {
  500: ['InternalServerError', 'Encountered internal server error. Please try again.'],
  502: ['BadGateway', 'The gateway received an invalid response from the upstream server.'],
  503: [
    'ServiceUnavailable',
    'The server is currently unable to handle the request due to a temporary overloading or maintenance of the server. Please try again later.',
  ],
  504: [
    'GatewayTimeout',
    "The gateway did not receive a response from 'Microsoft.ContainerService' within the specified time period.",
  ],
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private random: () => number;

  constructor(seed = 1) {
    this.random = mulberry32(seed);
  }

  add(rule: FaultRule): void {
    if (rule.match?.path !== undefined) new RegExp(rule.match.path, 'i'); // fail fast on a bad pattern
    this.rules.push({ ...rule, seen: 0, hits: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  private matches(rule: ActiveRule, req: SimRequest): boolean {
    const m = rule.match ?? {};
    if (m.host && m.host.toLowerCase() !== req.host) return false;
    if (m.method && m.method.toUpperCase() !== req.method) return false;
    if (m.path && !new RegExp(m.path, 'i').test(req.url.pathname + req.url.search)) return false;
    return true;
  }

  /**
   * Returns the fault's answer, 'drop' to hang up, 'drop-response' / 'truncate-response' to serve
   * the request and then lose (part of) the answer, or undefined to serve the request normally.
   */
  async before(
    req: SimRequest,
  ): Promise<SimResponse | 'drop' | 'drop-response' | 'truncate-response' | undefined> {
    // Every matching rule counts the request, whichever rule ends up answering it, so `skip`
    // means "the first N matching requests" for each rule on its own.
    const matching = this.rules.filter((rule) => this.matches(rule, req));
    for (const rule of matching) rule.seen++;
    for (const rule of matching) {
      if (rule.seen <= (rule.skip ?? 0)) continue;
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.hits++;
      if (rule.action === 'latency') {
        await sleep(rule.latencyMs ?? 1000);
        continue;
      }
      if (rule.action === 'drop' || rule.action === 'drop-response') return rule.action;
      if (rule.action === 'truncate-response') return rule.action;
      if (rule.action === 'respond') {
        return {
          status: rule.status ?? 200,
          headers: { ...(rule.headers ?? {}) },
          ...(rule.body !== undefined ? { body: rule.body } : {}),
        };
      }
      const status = rule.status ?? 500;
      const [code, message] = DEFAULT_MESSAGES[status] ?? ['InternalServerError', `HTTP ${status}`];
      const headers: Record<string, string> = {};
      if (rule.retryAfterSeconds !== undefined)
        headers['Retry-After'] = String(rule.retryAfterSeconds);
      return {
        status,
        headers,
        body: { error: { code: rule.code ?? code, message: rule.message ?? message } },
      };
    }
    return undefined;
  }
}
