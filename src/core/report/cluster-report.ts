/**
 * operation: report, as Markdown: versions and the upgrades AKS offers, every pool (mode, count or
 * autoscaler range, version, node image, states), the latest operation with its progress, and a
 * diagnosis for anything in the Failed state.
 */
import type { ClusterView } from '../aks/api.ts';
import { diagnose } from '../diagnose/index.ts';
import type { Outcome } from '../outcome.ts';
import { describeOperation, where } from '../pending.ts';
import type { Settings } from '../settings.ts';
import { diagnosisMarkdown } from './diagnosis.ts';
import { md, table } from './markdown.ts';

function poolsTable(c: ClusterView): string {
  return table(
    ['pool', 'mode', 'nodes', 'Kubernetes', 'node image', 'state', 'power'],
    c.pools.map((p) => [
      md(p.name),
      md(p.mode),
      p.enableAutoScaling
        ? `${p.count} (autoscaler ${p.minCount ?? '?'}–${p.maxCount ?? '?'})`
        : String(p.count),
      md(
        p.currentOrchestratorVersion === p.orchestratorVersion
          ? p.currentOrchestratorVersion
          : `${p.currentOrchestratorVersion} → ${p.orchestratorVersion}`,
      ),
      md(p.nodeImageVersion),
      md(p.provisioningState),
      md(p.powerState),
    ]),
  );
}

export function renderClusterReport(s: Settings, o: Outcome, level = 3): string {
  const c = o.before;
  const r = o.report;
  if (!c || !r) return '';
  const h = '#'.repeat(level);
  const now = o.timeline[0]?.at.getTime() ?? Date.now();
  const parts: string[] = [`${h} Cluster report: ${md(c.name)}`];
  const offered = r.upgrades
    ? r.upgrades.length
      ? r.upgrades.map((u) => `${md(u.version)}${u.isPreview ? ' (preview)' : ''}`).join(', ')
      : 'none (newest version in the region)'
    : 'unknown (the upgrade profile could not be read)';
  parts.push(
    table(
      ['', ''],
      [
        ['state', `${md(c.provisioningState)}, ${md(c.powerState)}`],
        ['Kubernetes', md(c.currentKubernetesVersion)],
        ['upgrades available', offered],
        ['location', md(c.location)],
        [
          'latest operation',
          o.latestOperation ? md(describeOperation(o.latestOperation, now)) : 'unknown',
        ],
        ...r.poolOperations.map((p) => [
          `operation on ${md(p.pool)}`,
          md(describeOperation(p.operation, now)),
        ]),
      ],
    ),
  );
  parts.push(`${h}# Node pools\n\n${poolsTable(c)}`);
  for (const f of r.failed) {
    const error = f.operation?.error;
    parts.push(
      `${h}# ${md(where(f))} is Failed\n\n${
        error
          ? diagnosisMarkdown(
              diagnose(error, {
                context: {
                  subscriptionId: s.subscriptionId,
                  resourceGroup: s.resourceGroup,
                  clusterName: s.clusterName,
                  ...(f.pool ? { nodePool: f.pool } : {}),
                },
              }),
              { level: level + 2, raw: JSON.stringify(error, null, 2) },
            )
          : 'The operation that failed it is not known (operations/latest is not available here).'
      }`,
    );
  }
  return parts.join('\n\n');
}
