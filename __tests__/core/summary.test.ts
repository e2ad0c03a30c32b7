/** The job summary: the Mermaid timeline, the diagnosis first on failure, and GitHub's 1 MiB limit. */
import { describe, expect, test } from '@jest/globals';
import { diagnose } from '../../src/core/diagnose/index.ts';
import type { Outcome } from '../../src/core/outcome.ts';
import {
  renderSummary,
  SUMMARY_LIMIT_BYTES,
  timelineChart,
} from '../../src/core/report/summary.ts';
import { parseSettings } from '../../src/core/settings.ts';

const settings = parseSettings({
  get: (n) =>
    ({
      operation: 'run-command',
      command: 'kubectl get pods',
      'resource-group': 'rg',
      'cluster-name': 'aks',
      'auth-type': 'azure-cli',
    })[n] ?? '',
  env: { AZURE_SUBSCRIPTION_ID: '0f3c6a2e-9b7d-4e1f-8a5c-2d4b6e8f1a3c' },
  defaultAuthType: 'oidc',
}).settings;

const t = (s: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, s));
const timeline: Outcome['timeline'] = [
  { at: t(0), phase: 'pre-flight', event: 'read' },
  { at: t(1), phase: 'pending', event: 'Upgrading <b>x</b>: in progress' },
  { at: t(40), phase: 'pending', event: 'ended' },
  { at: t(41), phase: 'write', event: 'sent' },
  { at: t(42), phase: 'wait', event: 'waiting' },
  { at: t(90), phase: 'done', event: 'failed' },
];

describe('timelineChart', () => {
  test('one gantt task per phase, in order, from aks-guard’s own phase names only', () => {
    const chart = timelineChart(timeline);
    expect(chart.split('\n')[0]).toBe('```mermaid');
    expect(chart).toContain('gantt');
    const tasks = chart.split('\n').filter((l) => /:(milestone, )?p\d+,/.test(l));
    expect(tasks.map((l) => l.trim().split(' :')[0])).toEqual([
      'pre-flight',
      'waiting for the operation in progress',
      'write',
      'waiting for this run’s operation',
      'done',
    ]);
    expect(chart).not.toContain('<b>');
    // The wait for the pending operation spans from its first to the next phase.
    expect(tasks[1]).toContain(`${t(1).getTime()}, ${t(41).getTime()}`);
  });
});

describe('renderSummary', () => {
  const error = { code: 'CommandExitCode', message: 'exit code 1' };
  const outcome = (logs: string): Outcome => ({
    result: 'failed',
    message: 'The command exited with code 1.',
    failed: true,
    error,
    waitedSeconds: 0,
    plan: [],
    performed: [],
    timeline,
    command: { exitCode: 1, logs },
  });

  test('puts the diagnosis before the tables on failure', () => {
    const d = diagnose(error, { context: { resourceGroup: 'rg', clusterName: 'aks' } });
    const md = renderSummary(settings, outcome('ok'), d);
    expect(md.indexOf('### Diagnosis')).toBeGreaterThan(0);
    expect(md.indexOf('### Diagnosis')).toBeLessThan(md.indexOf('### Timeline'));
    expect(md).toContain('```mermaid');
  });

  test('stays under GitHub’s 1 MiB limit with an enormous timeline and output', () => {
    const d = diagnose(error);
    const long: Outcome['timeline'] = Array.from({ length: 10_000 }, (_, i) => ({
      at: t(i),
      phase: i % 2 ? 'pending' : 'abort',
      event: `event ${i} ${'é'.repeat(200)}`,
    }));
    const o = { ...outcome('y'.repeat(100_000)), timeline: long };
    const md = renderSummary(settings, o, d);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(md).toContain('### Diagnosis');
    // The latest events are kept.
    expect(md).toContain('event 9999');
    expect(md).not.toContain('event 5000 ');
  });
});
