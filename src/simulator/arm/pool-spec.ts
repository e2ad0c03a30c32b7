/**
 * A new agent pool from its requested properties, the same whether it arrives in a managed
 * cluster PUT (agentPoolProfiles[i]) or an agent pool PUT; unmodelled properties are kept as sent.
 */
import { newETag, type PoolState } from '../aks/model.ts';
import { defaultNodeImageFamily } from '../aks/node-images.ts';
import type { VersionCatalog } from '../aks/versions.ts';
import { invalidParameter } from './errors.ts';
import { intField, stringField } from './fields.ts';
import { versionChecks } from './version-rules.ts';

export const MODELLED_POOL_PROPERTIES = new Set([
  'name',
  'count',
  'vmSize',
  'osType',
  'osSKU',
  'mode',
  'orchestratorVersion',
  'currentOrchestratorVersion',
  'nodeImageVersion',
  'enableAutoScaling',
  'minCount',
  'maxCount',
  'maxPods',
  'provisioningState',
  'powerState',
  'eTag',
]);

export function poolExtra(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(props).filter(([k]) => !MODELLED_POOL_PROPERTIES.has(k)),
  );
}

export function assertPoolName(name: string, parameter: string): void {
  if (!/^[a-z][a-z0-9]{0,11}$/.test(name)) {
    throw invalidParameter(
      parameter,
      `'${name}' must be 1-12 lowercase letters and numbers, starting with a letter`,
    );
  }
}

export interface NewPoolContext {
  /** Where the properties sit in the request, for error messages ("properties", "agentPoolProfiles[1]"). */
  path: string;
  defaultMode: 'System' | 'User';
  /** The version the pool gets when the request names none: the cluster's desired and current ones. */
  clusterVersion: { desired: string; current: string };
  catalog: VersionCatalog;
  nodeImageRelease: string;
}

export function newPool(
  name: string,
  props: Record<string, unknown>,
  ctx: NewPoolContext,
): PoolState {
  const at = (field: string): string => `${ctx.path}.${field}`;
  const mode = stringField(props.mode, at('mode')) ?? ctx.defaultMode;
  const osType = stringField(props.osType, at('osType')) ?? 'Linux';
  const osSKU =
    stringField(props.osSKU, at('osSKU')) ?? (osType === 'Windows' ? 'Windows2022' : 'Ubuntu');
  // "" means "the cluster's version", as in the REST examples.
  const requested = stringField(props.orchestratorVersion, at('orchestratorVersion'));
  const current = requested
    ? versionChecks(ctx.catalog).supported(requested, 'AgentPoolK8sVersionNotSupported')
    : ctx.clusterVersion.current;
  const enableAutoScaling = props.enableAutoScaling === true;
  const pool: PoolState = {
    name,
    mode,
    count: intField(props.count, at('count'), mode === 'System' ? 1 : 0, 1000) ?? 3,
    vmSize: stringField(props.vmSize, at('vmSize')) ?? 'Standard_D4ds_v5',
    osType,
    osSKU,
    orchestratorVersion: requested || ctx.clusterVersion.desired,
    currentOrchestratorVersion: current,
    nodeImageVersion: `${defaultNodeImageFamily(osType, osSKU)}-${ctx.nodeImageRelease}`,
    enableAutoScaling,
    maxPods: intField(props.maxPods, at('maxPods'), 10, 250) ?? 110,
    provisioningState: 'Creating',
    powerState: 'Running',
    eTag: newETag(),
    extra: poolExtra(props),
  };
  if (enableAutoScaling) {
    pool.minCount = intField(props.minCount, at('minCount'), 0, 1000) ?? 1;
    pool.maxCount = intField(props.maxCount, at('maxCount'), 1, 1000) ?? pool.count;
    if (pool.minCount > pool.maxCount) {
      throw invalidParameter(
        at('minCount'),
        `minCount (${pool.minCount}) must not exceed maxCount (${pool.maxCount})`,
      );
    }
  }
  return pool;
}
