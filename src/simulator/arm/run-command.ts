/**
 * runCommand and commandResults (`az aks command invoke`). Commands do not really run: scenario
 * rules script their outcome, including the failures of "Resolve az aks command invoke failures";
 * a few read-only kubectl commands are answered from the simulated cluster's state.
 */
import { randomBytes } from 'node:crypto';
import { json, type SimResponse } from '../net/http-kit.ts';
import type { ClusterState, RunCommandState } from '../aks/model.ts';
import type { RunCommandRule } from '../state.ts';
import { getCluster, jsonBody, retryAfter, statusRetryAfter, type ArmCall } from './call.ts';
import { aksError, invalidParameter } from './errors.ts';
import { assertRunning } from './managed-clusters.ts';
import { clusterId } from '../aks/model.ts';

function nodeNames(
  cluster: ClusterState,
): { name: string; pool: string; version: string; mode: string }[] {
  return cluster.pools.flatMap((p, pi) =>
    Array.from({ length: p.count }, (_, i) => ({
      name: `aks-${p.name}-${String(31415926 + pi * 1111).slice(0, 8)}-vmss${i.toString(36).padStart(6, '0')}`,
      pool: p.name,
      version: p.currentOrchestratorVersion,
      mode: p.mode,
    })),
  );
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]! + 3))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** Answers a few read-only kubectl commands from the cluster's simulated state. */
function builtin(
  command: string,
  cluster: ClusterState,
): { exitCode: number; logs: string } | undefined {
  const c = command.trim().replace(/\s+/g, ' ');
  if (/^kubectl get (nodes|node|no)( -o wide)?$/.test(c)) {
    const rows = [['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']];
    for (const n of nodeNames(cluster))
      rows.push([n.name, 'Ready', '<none>', '3d', `v${n.version}`]);
    return { exitCode: 0, logs: table(rows) };
  }
  if (/^kubectl version( --short)?$/.test(c)) {
    return {
      exitCode: 0,
      logs: `Client Version: v${cluster.currentKubernetesVersion}\nKustomize Version: v5.7.1\nServer Version: v${cluster.currentKubernetesVersion}\n`,
    };
  }
  return undefined;
}

function outcome(
  rule: RunCommandRule | undefined,
  command: string,
  id: string,
  cluster: ClusterState,
): RunCommandState['result'] {
  if (rule?.error) return { kind: 'error', status: 400, error: rule.error };
  switch (rule?.failure) {
    case 'pod-not-started':
    case 'performance':
      return {
        kind: 'error',
        status: 400,
        error: {
          code:
            rule.failure === 'performance'
              ? 'KubernetesPerformanceError'
              : 'KubernetesOperationError',
          message: `Failed to run command due to cluster perf issue, container command-${id} in aks-command namespace did not start within 30s on your cluster, retry may helps. If issue persist, you may need to tune your cluster with better performance (larger node/paid tier).`,
        },
      };
    case 'policy-denied':
      return {
        kind: 'error',
        status: 400,
        error: {
          code: 'KubernetesOperationError',
          message: `Failed to run command in managed cluster due to kubernetes failure. details: admission webhook "validation.gatekeeper.sh" denied the request: [azurepolicy-k8sazurev3readonlyrootfilesystem-5f2b6c0e6c1f4d0b9a3e] only read-only root filesystem container is allowed: command-${id}`,
        },
      };
    case 'not-found':
      return { kind: 'not-found' };
    default:
  }
  if (rule?.failedReason) return { kind: 'failed', reason: rule.failedReason };
  if (rule && (rule.exitCode !== undefined || rule.logs !== undefined)) {
    return { kind: 'succeeded', exitCode: rule.exitCode ?? 0, logs: rule.logs ?? '' };
  }
  const b = builtin(command, cluster);
  if (b) return { kind: 'succeeded', ...b };
  return {
    kind: 'succeeded',
    exitCode: 0,
    logs: `(aks-guard simulator: "${command}" was accepted; this scenario scripts no output for it)\n`,
  };
}

export function runCommand(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const body = jsonBody(call);
  const command = body.command;
  if (typeof command !== 'string' || command.trim() === '') {
    throw invalidParameter('command', 'the command to run must be a non-empty string');
  }
  if (body.context !== undefined && typeof body.context !== 'string') {
    throw invalidParameter('context', 'context must be a base64-encoded zip file as a string');
  }
  assertRunning(cluster, 'Running a command');
  const id = randomBytes(16).toString('hex');
  const rule = call.state.runCommands.find((r) => new RegExp(r.match, 'i').test(command));
  const seconds = rule?.durationSeconds ?? call.state.settings.runCommandSeconds;
  cluster.commands.set(id, {
    id,
    command,
    startMs: call.state.clock.now(),
    durationMs: seconds * 1000,
    result: outcome(rule, command, id, cluster),
  });
  return {
    status: 202,
    headers: {
      location: `${call.req.origin}${clusterId(cluster)}/commandResults/${id}?api-version=${call.apiVersion}`,
      ...retryAfter(call),
    },
  };
}

export function getCommandResult(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const id = call.params.cmd!;
  const cmd = cluster.commands.get(id);
  if (!cmd) throw aksError(404, 'NotFound', `Command result ${id} was not found.`);
  const now = call.state.clock.now();
  const done = now >= cmd.startMs + cmd.durationMs;
  if (!done) {
    return {
      status: 202,
      headers: {
        location: `${call.req.origin}${clusterId(cluster)}/commandResults/${id}?api-version=${call.apiVersion}`,
        ...statusRetryAfter(call),
      },
    };
  }
  const r = cmd.result;
  if (r.kind === 'not-found') return { status: 404, headers: {} };
  if (r.kind === 'error') return json(r.status, { error: r.error });
  const startedAt = call.state.clock.iso(cmd.startMs).replace(/\.\d+Z$/, 'Z');
  const finishedAt = call.state.clock.iso(cmd.startMs + cmd.durationMs).replace(/\.\d+Z$/, 'Z');
  if (r.kind === 'failed') {
    return json(200, { id, properties: { provisioningState: 'failed', reason: r.reason } });
  }
  return json(200, {
    id,
    properties: {
      provisioningState: 'succeeded',
      exitCode: r.exitCode,
      startedAt,
      finishedAt,
      logs: r.logs,
    },
  });
}
