/**
 * The admin API (`/_sim/…` on the direct endpoint only): lets tests and pipeline authors inspect
 * state, move the clock, start, fail or finish operations as "someone else", inject faults and
 * failures, and read the request log.
 */
import { z } from 'zod';
import { json, type RequestContext, type SimRequest, type SimResponse } from './net/http-kit.ts';
import type { ClusterState } from './aks/model.ts';
import { clusterKey, findPool } from './aks/model.ts';
import {
  AKS_ERROR_SHAPES,
  CONFLICT_WORDINGS,
  errorResponse,
  operationInProgress,
} from './arm/errors.ts';
import { startOperationAs } from './scenario/build.ts';
import { armErrorSchema, operationKindSchema, retryAfterHeaderSchema } from './scenario/schema.ts';
import type { SimState } from './state.ts';
import type { FaultInjector, FaultRule } from './faults.ts';
import type { RequestLog } from './request-log.ts';

export interface AdminDeps {
  state: () => SimState;
  log: RequestLog;
  faults: FaultInjector;
  reset: (scenario?: string) => Promise<void>;
  info: () => Record<string, unknown>;
  /** The Azure DevOps organization, job, service connections and pull-request threads. */
  azureDevOps: () => Record<string, unknown>;
}

function bad(message: string): SimResponse {
  return json(400, { error: { code: 'BadAdminRequest', message } });
}

function body(req: SimRequest): unknown {
  const text = req.body.toString('utf8').trim();
  if (!text) return {};
  return JSON.parse(text);
}

/** A readable snapshot of one cluster: states, versions, counts and operations with progress. */
export function clusterSnapshot(state: SimState, c: ClusterState): Record<string, unknown> {
  state.engine.advance(c);
  return {
    subscriptionId: c.subscriptionId,
    resourceGroup: c.resourceGroup,
    name: c.name,
    provisioningState: c.provisioningState,
    powerState: c.powerState,
    kubernetesVersion: c.kubernetesVersion,
    currentKubernetesVersion: c.currentKubernetesVersion,
    eTag: c.eTag,
    pools: c.pools.map((p) => ({
      name: p.name,
      mode: p.mode,
      provisioningState: p.provisioningState,
      powerState: p.powerState,
      count: p.count,
      orchestratorVersion: p.orchestratorVersion,
      currentOrchestratorVersion: p.currentOrchestratorVersion,
      nodeImageVersion: p.nodeImageVersion,
      enableAutoScaling: p.enableAutoScaling,
    })),
    operations: c.operations.map((o) => ({
      id: o.id,
      kind: o.kind,
      pool: o.pool,
      operationType: o.operationType,
      subOperationType: o.subOperationType,
      status: o.status,
      percentComplete: state.engine.percentComplete(o),
      startTime: state.clock.iso(o.startMs),
      endTime: o.endMs !== undefined ? state.clock.iso(o.endMs) : undefined,
      error: o.error,
      startedBy: o.startedBy,
    })),
  };
}

/**
 * An operation started through the admin API, as "another pipeline" would. With `stuckAtPercent`
 * it stops progressing there and stays InProgress until `complete` or `fail` (or an abort) ends
 * it: a test holds it while the client under test waits, and releases it when it chooses.
 */
const operationRequest = z.object({
  type: operationKindSchema,
  pool: z.string().optional(),
  kubernetesVersion: z.string().optional(),
  count: z.number().int().min(0).optional(),
  durationSeconds: z.number().positive().optional(),
  stuckAtPercent: z.number().min(0).max(99).optional(),
  startedBy: z.string().default('another pipeline (admin API)'),
});

export class AdminService {
  private readonly d: AdminDeps;

  constructor(deps: AdminDeps) {
    this.d = deps;
  }

  private cluster(rg: string, name: string, sub?: string | null): ClusterState | undefined {
    const state = this.d.state();
    return [...state.clusters.values()].find(
      (c) =>
        c.resourceGroup.toLowerCase() === rg.toLowerCase() &&
        c.name.toLowerCase() === name.toLowerCase() &&
        (!sub || c.subscriptionId.toLowerCase() === sub.toLowerCase()),
    );
  }

  handle = async (req: SimRequest, ctx: RequestContext): Promise<SimResponse> => {
    ctx.service = 'admin';
    const path = req.url.pathname.replace(/\/+$/, '');
    const q = req.url.searchParams;
    let payload: unknown;
    try {
      payload = body(req);
    } catch {
      return bad('The request body is not valid JSON.');
    }
    const state = this.d.state();
    ctx.operation = `Admin ${req.method} ${path}`;

    if (req.method === 'GET' && path === '/_sim') return json(200, this.d.info());
    if (req.method === 'GET' && path === '/_sim/state') {
      // Up to now first, so a cluster whose delete has finished is not listed.
      for (const c of [...state.clusters.values()]) state.engine.advance(c);
      return json(200, {
        time: state.clock.iso(),
        clusters: [...state.clusters.values()].map((c) => clusterSnapshot(state, c)),
      });
    }
    if (req.method === 'GET' && path === '/_sim/azure-devops')
      return json(200, this.d.azureDevOps());
    if (path === '/_sim/requests') {
      if (req.method === 'DELETE') {
        this.d.log.clear();
        return { status: 204 };
      }
      return json(200, this.d.log.list(Number(q.get('since') ?? 0)));
    }
    if (req.method === 'GET' && path === '/_sim/requests/counts') {
      return json(200, this.d.log.counts(Number(q.get('since') ?? 0)));
    }
    if (req.method === 'POST' && path === '/_sim/clock/advance') {
      const p = z.object({ seconds: z.number().min(0) }).safeParse(payload);
      if (!p.success) return bad('Give {"seconds": N} with N >= 0.');
      state.clock.advance(p.data.seconds * 1000);
      return json(200, { time: state.clock.iso() });
    }
    if (path === '/_sim/faults') {
      if (req.method === 'DELETE') {
        this.d.faults.clear();
        return { status: 204 };
      }
      if (req.method === 'GET') return json(200, this.d.faults.list());
      if (req.method === 'POST') {
        try {
          this.d.faults.add(payload as FaultRule);
        } catch (err) {
          return bad(`Invalid fault rule: ${err instanceof Error ? err.message : String(err)}`);
        }
        return json(201, this.d.faults.list());
      }
    }
    if (req.method === 'POST' && path === '/_sim/failures') {
      const p = z
        .object({
          operation: z.union([operationKindSchema, z.literal('any')]),
          cluster: z.string().optional(),
          pool: z.string().optional(),
          atPercent: z.number().min(0).max(99),
          error: armErrorSchema,
          times: z.number().int().positive().optional(),
        })
        .safeParse(payload);
      if (!p.success) return bad(`Invalid failure rule: ${z.prettifyError(p.error)}`);
      state.engine.config.failures.unshift(p.data);
      return json(201, state.engine.config.failures);
    }
    if (req.method === 'PATCH' && path === '/_sim/settings') {
      const p = z
        .object({
          conflictWording: z.enum(CONFLICT_WORDINGS).optional(),
          aksErrorShape: z.enum(AKS_ERROR_SHAPES).optional(),
          abortResponse: z.union([z.literal(202), z.literal(204)]).optional(),
          retryAfterSeconds: z.number().int().min(0).optional(),
          // null: back to the default (retryAfterSeconds, and nothing on operations/*).
          statusRetryAfterSeconds: z.number().min(0).nullable().optional(),
          statusRetryAfterHeaders: z.array(retryAfterHeaderSchema).min(1).optional(),
          tokenLifetimeSeconds: z.number().int().positive().optional(),
        })
        .strict()
        .safeParse(payload);
      if (!p.success) return bad(`Invalid settings: ${z.prettifyError(p.error)}`);
      const { statusRetryAfterSeconds, ...rest } = p.data;
      Object.assign(state.settings, rest);
      if (statusRetryAfterSeconds === null) delete state.settings.statusRetryAfterSeconds;
      else if (statusRetryAfterSeconds !== undefined)
        state.settings.statusRetryAfterSeconds = statusRetryAfterSeconds;
      return json(200, state.settings);
    }
    if (req.method === 'POST' && path === '/_sim/reset') {
      const p = z.object({ scenario: z.string().optional() }).safeParse(payload);
      if (!p.success) return bad('Give {"scenario": "name"} or nothing.');
      try {
        await this.d.reset(p.data.scenario);
      } catch (err) {
        return bad(err instanceof Error ? err.message : String(err));
      }
      return json(200, this.d.info());
    }

    const m = /^\/_sim\/clusters\/([^/]+)\/([^/]+)\/(operations|fail|complete|race)$/.exec(path);
    if (req.method === 'POST' && m) {
      const cluster = this.cluster(
        decodeURIComponent(m[1]!),
        decodeURIComponent(m[2]!),
        q.get('subscription'),
      );
      if (!cluster)
        return json(404, {
          error: { code: 'NotFound', message: `No simulated cluster ${m[1]}/${m[2]}.` },
        });
      state.engine.advance(cluster);
      if (m[3] === 'operations') return this.startOperation(state, cluster, payload);
      if (m[3] === 'race') return this.addRace(state, cluster, payload);
      const poolName = q.get('pool') ?? undefined;
      const op = state.engine
        .activeOperations(cluster)
        .filter((o) =>
          poolName ? o.pools.some((p) => p.toLowerCase() === poolName.toLowerCase()) : true,
        )
        .at(-1);
      if (!op || op.status !== 'InProgress')
        return json(409, {
          error: { code: 'NoRunningOperation', message: 'No operation is in progress there.' },
        });
      if (m[3] === 'fail') {
        const e = armErrorSchema.safeParse(
          (payload as { error?: unknown } | null)?.error ?? {
            code: 'InternalOperationError',
            message: 'The operation failed (failed by the simulator admin API).',
          },
        );
        if (!e.success) return bad('error must be {"code": "...", "message": "..."}');
        state.engine.failNow(cluster, op, e.data);
      } else state.engine.completeNow(cluster, op);
      return json(200, clusterSnapshot(state, cluster));
    }
    return json(404, {
      error: { code: 'NotFound', message: `No admin endpoint ${req.method} ${path}.` },
    });
  };

  /**
   * The next `times` writes to the cluster each meet an operation another pipeline just started;
   * or, with `{"endsBeforeAbort": true, "pool"?}`, the next abort there finds its operation just
   * ended by itself (Succeeded), as when an abort loses the race to the operation's natural end.
   */
  private addRace(state: SimState, cluster: ClusterState, payload: unknown): SimResponse {
    const abortRace = z
      .object({
        endsBeforeAbort: z.literal(true),
        pool: z.string().optional(),
        times: z.number().int().positive().default(1),
      })
      .strict()
      .safeParse(payload);
    if (abortRace.success) {
      const { pool, times } = abortRace.data;
      if (pool && !findPool(cluster, pool))
        return bad(`Cluster ${cluster.name} has no pool ${pool}.`);
      state.abortRaces.push({
        clusterKey: clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
        ...(pool ? { pool } : {}),
        remaining: times,
      });
      return json(201, { abortRaces: state.abortRaces.filter((r) => r.remaining > 0).length });
    }
    const p = operationRequest
      .extend({ times: z.number().int().positive().default(1) })
      .strict()
      .safeParse(payload);
    if (!p.success) return bad(`Invalid race: ${z.prettifyError(p.error)}`);
    const { times, durationSeconds, stuckAtPercent, startedBy, ...spec } = p.data;
    if (spec.pool && !findPool(cluster, spec.pool))
      return bad(`Cluster ${cluster.name} has no pool ${spec.pool}.`);
    state.races.push({
      clusterKey: clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
      spec,
      ...(durationSeconds !== undefined ? { durationMs: durationSeconds * 1000 } : {}),
      ...(stuckAtPercent !== undefined ? { stuckAtPercent } : {}),
      startedBy,
      remaining: times,
    });
    return json(201, { races: state.races.filter((r) => r.remaining > 0).length });
  }

  private startOperation(state: SimState, cluster: ClusterState, payload: unknown): SimResponse {
    const p = operationRequest.strict().safeParse(payload);
    if (!p.success) return bad(`Invalid operation: ${z.prettifyError(p.error)}`);
    if (p.data.pool && !findPool(cluster, p.data.pool))
      return bad(`Cluster ${cluster.name} has no pool ${p.data.pool}.`);
    const blocking = state.engine.blockingOperation(
      cluster,
      p.data.pool ? { pool: p.data.pool } : {},
    );
    if (blocking) {
      return errorResponse(
        operationInProgress(
          state.settings.conflictWording,
          blocking,
          p.data.pool ? { pool: p.data.pool } : {},
          (ms) => state.clock.iso(ms),
        ),
        state.settings.aksErrorShape,
      );
    }
    try {
      const op = startOperationAs(
        state,
        cluster,
        { ...p.data, type: p.data.type },
        p.data.startedBy,
        p.data.durationSeconds !== undefined ? p.data.durationSeconds * 1000 : undefined,
      );
      if (p.data.stuckAtPercent !== undefined) op.stuckAtPercent = p.data.stuckAtPercent;
      return json(201, { operationId: op.id, cluster: clusterSnapshot(state, cluster) });
    } catch (err) {
      return bad(err instanceof Error ? err.message : String(err));
    }
  }
}
