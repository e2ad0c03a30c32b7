/** The job summary: what the guard found, what it did and when, and how it ended. */
import type { ClusterView } from '../aks/api.ts';
import { formatDuration } from '../duration.ts';
import { describeOperation } from '../pending.ts';
import type { Outcome } from '../outcome.ts';
import type { Settings } from '../settings.ts';
import { SPELLINGS, type Spelling } from '../inputs.ts';
import { codeBlock, fitMarkdown, md, table } from './markdown.ts';
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

/** GitHub's limit for one step's summary is 1 MiB; stay clear of it. */
export const SUMMARY_LIMIT_BYTES = 1_000_000;

/** A Mermaid gantt chart of the run's phases (GitHub renders it); phase names are aks-guard's own. */
export function timelineChart(timeline: Outcome['timeline']): string {
  if (timeline.length === 0) return '';
  const segments: { phase: string; start: number; end: number }[] = [];
  for (const e of timeline) {
    const t = e.at.getTime();
    const last = segments.at(-1);
    if (last && last.phase === e.phase) last.end = t;
    else {
      if (last) last.end = Math.max(last.end, t);
      segments.push({ phase: e.phase, start: t, end: t });
    }
  }
  const label: Record<string, string> = {
    'pre-flight': 'pre-flight',
    pending: 'waiting for the operation in progress',
    abort: 'abort',
    failed: 'Failed resource',
    plan: 'plan',
    write: 'write',
    wait: 'waiting for this run’s operation',
    retry: 'retry',
    done: 'done',
  };
  const lines = segments.map((g, i) => {
    const name = (label[g.phase] ?? g.phase).replace(/[^\w\s’-]/g, ' ');
    // At least a second, so short phases stay visible.
    const end = Math.max(g.end, g.start + 1000);
    return `    ${name} :${i === segments.length - 1 ? 'milestone, ' : ''}p${i}, ${g.start}, ${end}`;
  });
  return [
    '```mermaid',
    'gantt',
    '    dateFormat x',
    '    axisFormat %H:%M:%S',
    '    section run',
    ...lines,
    '```',
  ].join('\n');
}

export interface SummaryOptions {
  /** Include the Mermaid chart (GitHub renders it; Azure DevOps summaries show it as code). */
  mermaid?: boolean;
  /** How the reader's front door names inputs (the policy row); default the Action's. */
  spelling?: Spelling;
}

export function renderSummary(
  s: Settings,
  o: Outcome,
  d?: Diagnosis,
  options: SummaryOptions = {},
): string {
  const view: View = {
    mermaid: options.mermaid ?? true,
    spelling: options.spelling ?? SPELLINGS.action,
  };
  const full = render(s, o, d, false, view);
  if (Buffer.byteLength(full) <= SUMMARY_LIMIT_BYTES) return full;
  const lean = render(s, o, d, true, view);
  if (Buffer.byteLength(lean) <= SUMMARY_LIMIT_BYTES) return lean;
  // Still too big: keep the start, which holds the result and the diagnosis.
  return fitMarkdown(lean, {
    max: SUMMARY_LIMIT_BYTES,
    unit: 'bytes',
    note: () =>
      `\n\n_(The summary was cut to fit the 1 MiB limit of a job summary; the log has everything.)_\n`,
  }).body;
}

interface View {
  mermaid: boolean;
  spelling: Spelling;
}

/** The policy inputs as the reader's front door names them: `onPending wait, onFailed fail, …`. */
function policy(s: Settings, spelling: Spelling): string {
  const input = (name: string, value: string): string => `${spelling.name(name)} ${md(value)}`;
  return [
    `${input('on-pending', s.onPending)}${s.abortAfterSeconds ? ` after ${formatDuration(s.abortAfterSeconds)}` : ''}`,
    input('on-failed', s.onFailed),
    input('on-timeout', s.onTimeout),
    ...(s.dryRun ? ['dry run'] : []),
  ].join(', ');
}

/** The summary; `lean` keeps large parts short (command output, raw error, long timelines). */
function render(
  s: Settings,
  o: Outcome,
  d: Diagnosis | undefined,
  lean: boolean,
  { mermaid, spelling }: View,
): string {
  const parts: string[] = [];
  parts.push(`## ${ICON[o.result]} aks-guard: ${md(what(s))} on ${md(s.clusterName)}: ${o.result}`);
  parts.push(md(o.message));
  // On failure, what to do about it comes first.
  if (o.error && d)
    parts.push(diagnosisMarkdown(d, lean ? {} : { raw: JSON.stringify(o.error, null, 2) }));
  const facts: string[][] = [
    [
      'cluster',
      `${md(s.resourceGroup)}/${md(s.clusterName)} (subscription ${md(s.subscriptionId)})`,
    ],
    ['policy', policy(s, spelling)],
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
    const rows = lean ? o.timeline.slice(-100) : o.timeline;
    parts.push(
      `### Timeline\n\n${mermaid ? `${timelineChart(rows)}\n\n` : ''}${table(
        ['time (UTC)', '+', 'phase', 'event'],
        rows.map((e) => [
          e.at.toISOString().slice(11, 19),
          formatDuration((e.at.getTime() - t0) / 1000),
          md(e.phase),
          md(e.event),
        ]),
      )}`,
    );
  }
  if (o.command?.logs)
    parts.push(`### Command output\n\n${codeBlock(o.command.logs.slice(lean ? -2000 : -20000))}`);
  if (o.error && !d) {
    parts.push(
      `### Error\n\n**${md(o.error.code)}**: ${md(o.error.message)}\n\n<details><summary>The error as ARM returned it</summary>\n\n${codeBlock(JSON.stringify(o.error, null, 2), 'json')}\n\n</details>`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}
