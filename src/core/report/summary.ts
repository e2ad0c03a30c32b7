/** The job summary: what the guard found, what it did and when, and how it ended. */
import type { ClusterView } from '../aks-client.ts';
import { formatDuration } from '../duration.ts';
import { describeOperation } from '../pending.ts';
import type { Outcome } from '../outcome.ts';
import type { Settings } from '../settings.ts';
import { codeBlock, md, table } from './markdown.ts';
import { diagnosisMarkdown } from './diagnosis.ts';
import { renderClusterReport } from './cluster-report.ts';
import type { Diagnosis } from '../diagnose/types.ts';

const ICON: Record<Outcome['result'], string> = {
  succeeded: '✅',
  skipped: '⏭️',
  'dry-run': '📝',
  aborted: '🛑',
  'timed-out': '⏱️',
  failed: '❌',
};

function stateTable(c: ClusterView): string {
  const rows = [
    [
      `cluster ${md(c.name)}`,
      md(c.provisioningState),
      md(c.powerState),
      md(
        c.currentKubernetesVersion === c.kubernetesVersion
          ? c.currentKubernetesVersion
          : `${c.currentKubernetesVersion} (wants ${c.kubernetesVersion})`,
      ),
      '',
      '',
    ],
    ...c.pools.map((p) => [
      `pool ${md(p.name)} (${md(p.mode)})`,
      md(p.provisioningState),
      md(p.powerState),
      md(
        p.currentOrchestratorVersion === p.orchestratorVersion
          ? p.currentOrchestratorVersion
          : `${p.currentOrchestratorVersion} (wants ${p.orchestratorVersion})`,
      ),
      md(p.nodeImageVersion),
      p.enableAutoScaling
        ? `${p.count} (autoscaler ${p.minCount ?? '?'}–${p.maxCount ?? '?'})`
        : String(p.count),
    ]),
  ];
  return table(['', 'state', 'power', 'Kubernetes', 'node image', 'nodes'], rows);
}

function what(s: Settings): string {
  switch (s.operation) {
    case 'upgrade':
      return `upgrade to ${s.kubernetesVersion}${s.controlPlaneOnly ? ' (control plane only)' : s.nodePool ? ` (node pool ${s.nodePool})` : ''}`;
    case 'scale':
      return `scale ${s.nodePool} to ${s.nodeCount} nodes`;
    case 'upgrade-node-image':
      return `node image upgrade${s.nodePool ? ` (node pool ${s.nodePool})` : ''}`;
    case 'run-command':
      return `run-command`;
    default:
      return s.operation + (s.nodePool ? ` (node pool ${s.nodePool})` : '');
  }
}

export function renderSummary(s: Settings, o: Outcome, d?: Diagnosis): string {
  const parts: string[] = [];
  parts.push(`## ${ICON[o.result]} aks-guard: ${md(what(s))} on ${md(s.clusterName)}: ${o.result}`);
  parts.push(md(o.message));
  const facts: string[][] = [
    [
      'cluster',
      `${md(s.resourceGroup)}/${md(s.clusterName)} (subscription ${md(s.subscriptionId)})`,
    ],
    [
      'policy',
      `on-pending ${md(s.onPending)}${s.abortAfterSeconds ? ` after ${formatDuration(s.abortAfterSeconds)}` : ''}, on-failed ${md(s.onFailed)}, on-timeout ${md(s.onTimeout)}${s.dryRun ? ', dry run' : ''}`,
    ],
  ];
  if (o.latestOperation)
    facts.push([
      'latest operation',
      md(describeOperation(o.latestOperation, o.timeline[0]?.at.getTime() ?? Date.now())),
    ]);
  if (o.pendingOperation) facts.push(['found in progress', md(o.pendingOperation)]);
  if (o.waitedSeconds > 0) facts.push(['waited', formatDuration(o.waitedSeconds)]);
  if (o.abortedOperationId) facts.push(['aborted operation', md(o.abortedOperationId)]);
  if (o.operationId) facts.push(['operation', md(o.operationId)]);
  if (o.command?.exitCode !== undefined)
    facts.push(['command exit code', String(o.command.exitCode)]);
  parts.push(table(['', ''], facts));
  if (o.report) parts.push(renderClusterReport(s, o));
  else if (o.before) parts.push(`### ${o.after ? 'Before' : 'State'}\n\n${stateTable(o.before)}`);
  if (o.after) parts.push(`### After\n\n${stateTable(o.after)}`);
  if (o.plan.length)
    parts.push(
      `### Plan (dry run: nothing was written)\n\n${o.plan.map((p, i) => `${i + 1}. ${md(p)}`).join('\n')}`,
    );
  if (o.timeline.length) {
    const t0 = o.timeline[0]!.at.getTime();
    parts.push(
      `### Timeline\n\n${table(
        ['time (UTC)', '+', 'phase', 'event'],
        o.timeline.map((e) => [
          e.at.toISOString().slice(11, 19),
          formatDuration((e.at.getTime() - t0) / 1000),
          md(e.phase),
          md(e.event),
        ]),
      )}`,
    );
  }
  if (o.command?.logs)
    parts.push(`### Command output\n\n${codeBlock(o.command.logs.slice(-20000))}`);
  if (o.error && d) {
    parts.push(diagnosisMarkdown(d, { raw: JSON.stringify(o.error, null, 2) }));
  } else if (o.error) {
    parts.push(
      `### Error\n\n**${md(o.error.code)}**: ${md(o.error.message)}\n\n<details><summary>The error as ARM returned it</summary>\n\n${codeBlock(JSON.stringify(o.error, null, 2), 'json')}\n\n</details>`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}
