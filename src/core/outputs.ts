/** What a run reports to the pipeline, by output name: the same for every front door. */
import type { Diagnosis } from './diagnose/types.ts';
import type { Outcome } from './outcome.ts';
import type { Settings } from './settings.ts';

/** The outputs, all strings; empty when they do not apply. */
export function outputsOf(s: Settings, o: Outcome, d?: Diagnosis): Record<string, string> {
  const c = o.after ?? o.before;
  return {
    result: o.result,
    'provisioning-state': c?.provisioningState ?? '',
    'power-state': c?.powerState ?? '',
    'kubernetes-version': c?.currentKubernetesVersion ?? '',
    'pending-operation': o.pendingOperation ?? '',
    'waited-seconds': String(o.waitedSeconds),
    'aborted-operation-id': o.abortedOperationId ?? '',
    'operation-id': o.operationId ?? '',
    'error-code': o.error?.code ?? '',
    'diagnosis-category': d?.category ?? '',
    diagnosis: d ? JSON.stringify(d) : '',
    'command-exit-code': o.command?.exitCode !== undefined ? String(o.command.exitCode) : '',
    'command-logs': s.operation === 'run-command' ? (o.command?.logs ?? '') : '',
  };
}
