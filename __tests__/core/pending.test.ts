import { describe, expect, test } from '@jest/globals';
import type { ClusterView, OperationStatus, PoolView } from '../../src/core/aks/api.ts';
import { blockers, describeBusy, describeOperation, failedFor } from '../../src/core/pending.ts';
import { isBusy as isBusyState } from '../../src/core/aks/status.ts';

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const minutesAgo = (m: number): Date => new Date(NOW - m * 60_000);

function pool(name: string, provisioningState = 'Succeeded'): PoolView {
  return {
    name,
    mode: 'User',
    provisioningState,
    powerState: 'Running',
    count: 3,
    enableAutoScaling: false,
    orchestratorVersion: '1.34.2',
    currentOrchestratorVersion: '1.34.2',
    nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202605.01.0',
    osType: 'Linux',
    vmSize: 'Standard_D4s_v5',
  };
}

function cluster(provisioningState: string, pools: PoolView[]): ClusterView {
  return {
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-demo',
    name: 'aks-demo',
    location: 'westeurope',
    provisioningState,
    powerState: 'Running',
    kubernetesVersion: '1.34.2',
    currentKubernetesVersion: '1.34.2',
    pools,
    model: { location: 'westeurope' },
  };
}

describe('isBusyState', () => {
  test.each(['Succeeded', 'Failed', 'Canceled', 'succeeded', 'FAILED', 'canceled'])(
    '%s is settled',
    (state) => {
      expect(isBusyState(state)).toBe(false);
    },
  );

  test.each(['Updating', 'Upgrading', 'Scaling', 'Stopping', 'Starting', 'Deleting', 'upgrading'])(
    '%s is busy',
    (state) => {
      expect(isBusyState(state)).toBe(true);
    },
  );

  test('a state AKS may add in future counts as busy', () => {
    expect(isBusyState('Rebalancing')).toBe(true);
  });
});

describe('blockers', () => {
  test('an idle cluster blocks nothing', () => {
    const c = cluster('Succeeded', [pool('system'), pool('np1')]);
    expect(blockers(c, {})).toEqual([]);
    expect(blockers(c, { pool: 'np1' })).toEqual([]);
  });

  test('a cluster operation blocks every write', () => {
    const c = cluster('Upgrading', [pool('system', 'Upgrading'), pool('np1')]);
    expect(blockers(c, {})).toEqual([{ state: 'Upgrading' }]);
    expect(blockers(c, { pool: 'np1' })).toEqual([{ state: 'Upgrading' }]);
  });

  test('a pool operation blocks cluster writes and writes to that pool', () => {
    const c = cluster('Succeeded', [pool('system'), pool('np1', 'Scaling')]);
    expect(blockers(c, {})).toEqual([{ pool: 'np1', state: 'Scaling' }]);
    expect(blockers(c, { pool: 'np1' })).toEqual([{ pool: 'np1', state: 'Scaling' }]);
    expect(blockers(c, { pool: 'NP1' })).toEqual([{ pool: 'np1', state: 'Scaling' }]);
  });

  test('a pool operation does not block writes to another pool', () => {
    const c = cluster('Succeeded', [pool('system'), pool('np1', 'Scaling')]);
    expect(blockers(c, { pool: 'system' })).toEqual([]);
  });

  test('a cluster write lists every busy pool', () => {
    const c = cluster('Succeeded', [pool('system', 'Upgrading'), pool('np1', 'Scaling')]);
    expect(blockers(c, {}).map((b) => b.pool)).toEqual(['system', 'np1']);
  });

  test('a failed pool does not block', () => {
    const c = cluster('Succeeded', [pool('np1', 'Failed')]);
    expect(blockers(c, {})).toEqual([]);
  });

  test('nothing blocks an action that writes nowhere', () => {
    const c = cluster('Upgrading', [pool('np1', 'Scaling')]);
    expect(blockers(c, 'none')).toEqual([]);
  });
});

describe('failedFor', () => {
  const c = cluster('Failed', [pool('system'), pool('np1', 'Failed'), pool('np2', 'failed')]);

  test('a cluster write acts on the failed cluster and every failed pool', () => {
    expect(failedFor(c, {})).toEqual([
      { state: 'Failed' },
      { pool: 'np1', state: 'Failed' },
      { pool: 'np2', state: 'failed' },
    ]);
  });

  test('a pool write acts on the failed cluster and that pool only', () => {
    expect(failedFor(c, { pool: 'NP1' })).toEqual([
      { state: 'Failed' },
      { pool: 'np1', state: 'Failed' },
    ]);
    expect(failedFor(c, { pool: 'system' })).toEqual([{ state: 'Failed' }]);
  });

  test('healthy resources and writes to nowhere give nothing', () => {
    expect(failedFor(cluster('Succeeded', [pool('np1', 'Scaling')]), {})).toEqual([]);
    expect(failedFor(c, 'none')).toEqual([]);
  });
});

describe('describeBusy', () => {
  const op: OperationStatus = {
    id: '0f5c1a2b-aaaa-bbbb-cccc-1234567890ab',
    status: 'InProgress',
    percentComplete: 40,
    startTime: minutesAgo(4),
    subOperationType: 'Upgrading',
  };

  test('names the operation, its id, percent and age', () => {
    expect(describeBusy({ state: 'Updating', operation: op }, NOW)).toBe(
      'Upgrading on the managed cluster (operation 0f5c1a2b-aaaa-bbbb-cccc-1234567890ab, 40%, running for 4m)',
    );
  });

  test('names the pool, and falls back to the state without details', () => {
    expect(describeBusy({ pool: 'np1', state: 'Scaling' }, NOW)).toBe('Scaling on node pool np1');
    expect(
      describeBusy(
        { pool: 'np1', state: 'Scaling', operation: { id: 'op-1', status: 'InProgress' } },
        NOW,
      ),
    ).toBe('Scaling on node pool np1 (operation op-1)');
  });
});

describe('describeOperation', () => {
  test('gives kind, status, percent, start, duration and id', () => {
    const op: OperationStatus = {
      id: 'op-42',
      status: 'Succeeded',
      percentComplete: 100,
      startTime: minutesAgo(120),
      endTime: minutesAgo(108),
      operationType: 'PutManagedCluster',
      subOperationType: 'Upgrading',
    };
    expect(describeOperation(op, NOW)).toBe(
      'Upgrading, Succeeded, 100%, started 2h ago, took 12m (operation op-42)',
    );
  });

  test('includes the error code of a failed operation', () => {
    const op: OperationStatus = {
      id: 'op-7',
      status: 'Failed',
      operationType: 'Scaling',
      error: { code: 'QuotaExceeded', message: 'Not enough cores' },
    };
    expect(describeOperation(op, NOW)).toBe(
      'Scaling, Failed, error QuotaExceeded (operation op-7)',
    );
  });

  test('says "operation" when the kind is unknown', () => {
    expect(describeOperation({ id: 'op-9', status: 'InProgress' }, NOW)).toBe(
      'operation, InProgress (operation op-9)',
    );
  });
});
