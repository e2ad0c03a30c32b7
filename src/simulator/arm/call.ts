/** What every ARM handler receives, and the lookups and checks they share. */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../identity/directory.ts';
import { header, type SimRequest } from '../net/http-kit.ts';
import {
  clusterKey,
  findPool,
  type ClusterState,
  type Operation,
  type PoolState,
} from '../aks/model.ts';
import type { AsyncOperationRef, SimState } from '../state.ts';
import { aksError, invalidRequestContent, resourceNotFound } from './errors.ts';

export interface ArmCall {
  req: SimRequest;
  params: Record<string, string>;
  apiVersion: string;
  principal: Principal;
  state: SimState;
}

export function principalLabel(p: Principal): string {
  return p.displayName;
}

export function getCluster(call: ArmCall): ClusterState {
  const { sub, rg, name } = call.params as { sub: string; rg: string; name: string };
  const cluster = call.state.clusters.get(clusterKey(sub, rg, name));
  if (!cluster) throw resourceNotFound('Microsoft.ContainerService/managedClusters', name, rg);
  call.state.engine.advance(cluster);
  return cluster;
}

export function getPool(call: ArmCall, cluster: ClusterState): PoolState {
  const pool = findPool(cluster, call.params.pool!);
  if (!pool) {
    throw resourceNotFound(
      `Microsoft.ContainerService/managedClusters/${cluster.name}/agentPools`,
      call.params.pool!,
      cluster.resourceGroup,
    );
  }
  return pool;
}

/** Parses a JSON object body, answering 400 InvalidRequestContent as ARM does for anything else. */
export function jsonBody(call: ArmCall): Record<string, unknown> {
  const text = call.req.body.toString('utf8');
  if (text.trim() === '') throw invalidRequestContent('The request content was empty.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalidRequestContent(err instanceof Error ? err.message : String(err));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidRequestContent('The request content must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function stripQuotes(v: string): string {
  return v
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

/** If-Match / If-None-Match preconditions against the resource's current eTag. */
export function checkPreconditions(call: ArmCall, currentETag: string | undefined): void {
  const ifMatch = header(call.req, 'if-match');
  const ifNoneMatch = header(call.req, 'if-none-match');
  if (ifMatch !== undefined && ifMatch !== '') {
    const wanted = ifMatch.split(',').map(stripQuotes);
    const ok = currentETag !== undefined && (wanted.includes('*') || wanted.includes(currentETag));
    if (!ok) {
      throw aksError(
        412,
        'PreconditionFailed',
        currentETag === undefined
          ? `Operation is not allowed: the resource does not exist, but the If-Match header ${ifMatch} expects it to.`
          : `Operation is not allowed: the If-Match header ${ifMatch} does not match the resource's current eTag ${currentETag}. Get the resource again and retry with its current eTag.`,
      );
    }
  }
  if (ifNoneMatch !== undefined && ifNoneMatch !== '' && currentETag !== undefined) {
    const unwanted = ifNoneMatch.split(',').map(stripQuotes);
    if (unwanted.includes('*') || unwanted.includes(currentETag)) {
      throw aksError(
        412,
        'PreconditionFailed',
        `Operation is not allowed: the resource already exists, and the If-None-Match header is ${ifNoneMatch}.`,
      );
    }
  }
}

export function locationSegment(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

/** Registers an async operation URL for `op` and returns its id. */
export function registerAsync(
  call: ArmCall,
  cluster: ClusterState,
  op: Operation,
  isAbort = false,
): AsyncOperationRef {
  const ref: AsyncOperationRef = {
    id: isAbort ? randomUUID() : op.id,
    subscriptionId: cluster.subscriptionId,
    location: locationSegment(cluster.location),
    clusterKey: clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
    operationId: op.id,
    isAbort,
    startMs: call.state.clock.now(),
    cluster,
  };
  call.state.asyncOperations.set(ref.id, ref);
  return ref;
}

export function asyncUrl(
  call: ArmCall,
  ref: AsyncOperationRef,
  kind: 'operations' | 'operationStatus' | 'operationresults',
): string {
  return `${call.req.origin}/subscriptions/${ref.subscriptionId}/providers/Microsoft.ContainerService/locations/${ref.location}/${kind}/${ref.id}?api-version=${call.apiVersion}`;
}

/** Retry-After on an answer that starts an operation. */
export function retryAfter(call: ArmCall): Record<string, string> {
  const s = call.state.settings.retryAfterSeconds;
  return s > 0 ? { 'Retry-After': String(s) } : {};
}

/**
 * The poll interval on an operation-status answer while the operation runs (the async-operation
 * and location URLs; with `onlyIfSet`, operations/latest and operations/{id}, which send one only
 * when statusRetryAfterSeconds is set), in the headers statusRetryAfterHeaders names.
 */
export function statusRetryAfter(
  call: ArmCall,
  { onlyIfSet = false }: { onlyIfSet?: boolean } = {},
): Record<string, string> {
  const { statusRetryAfterSeconds, statusRetryAfterHeaders, retryAfterSeconds } =
    call.state.settings;
  if (onlyIfSet && statusRetryAfterSeconds === undefined) return {};
  const seconds = statusRetryAfterSeconds ?? retryAfterSeconds;
  if (!(seconds > 0)) return {};
  const headers: Record<string, string> = {};
  for (const h of statusRetryAfterHeaders) {
    if (h === 'retry-after') headers['Retry-After'] = String(Math.ceil(seconds));
    else if (h === 'retry-after-ms') headers['retry-after-ms'] = String(Math.round(seconds * 1000));
    else if (h === 'x-ms-retry-after-ms')
      headers['x-ms-retry-after-ms'] = String(Math.round(seconds * 1000));
    // An HTTP-date has whole seconds: rounded up, so it never asks for less than the setting.
    else
      headers['Retry-After'] = new Date(
        Math.ceil((call.state.clock.now() + seconds * 1000) / 1000) * 1000,
      ).toUTCString();
  }
  return headers;
}

/** A readable name for whoever started an operation, for the request log and admin state. */
export function actor(call: ArmCall): string {
  return `${call.principal.displayName} (${call.principal.appId})`;
}
