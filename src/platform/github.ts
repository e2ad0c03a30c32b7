/**
 * The GitHub Actions front door: inputs through @actions/core, the runner's OIDC token, outputs,
 * the job summary, log groups and annotations, and cancellation (SIGINT/SIGTERM).
 * The only file of the Action that imports a runner SDK.
 */
import * as core from '@actions/core';
import { AksClient } from '../core/aks-client.ts';
import { buildCredential } from '../core/credentials.ts';
import { runGuard } from '../core/guard.ts';
import type { Outcome } from '../core/outcome.ts';
import type { Reporter } from '../core/reporter.ts';
import { renderSummary } from '../core/report/summary.ts';
import { InputError, parseSettings, type Settings } from '../core/settings.ts';

export const OIDC_AUDIENCE = 'api://AzureADTokenExchange';

const reporter: Reporter = {
  info: (line) => core.info(line),
  warning: (line) => core.warning(line),
  error: (line) => core.error(line),
  debug: (line) => core.debug(line),
  startGroup: (name) => core.startGroup(name),
  endGroup: () => core.endGroup(),
  mask: (secret) => core.setSecret(secret),
};

/** The Action's outputs, all strings; empty when they do not apply. */
export function outputsOf(s: Settings, o: Outcome): Record<string, string> {
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
    'command-exit-code': o.command?.exitCode !== undefined ? String(o.command.exitCode) : '',
    'command-logs': s.operation === 'run-command' ? (o.command?.logs ?? '') : '',
  };
}

export async function run(): Promise<void> {
  const cancel = new AbortController();
  const onSignal = (signal: string): void => {
    core.warning(`Received ${signal}: the job is being cancelled.`);
    cancel.abort();
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  try {
    const secret = core.getInput('client-secret');
    if (secret) core.setSecret(secret);
    const { settings, warnings } = parseSettings({
      get: (name) => core.getInput(name),
      env: process.env,
      defaultAuthType: 'oidc',
    });
    for (const w of warnings) core.warning(w);
    if (settings.auth.type === 'oidc' && !process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
      throw new InputError([
        {
          input: 'auth-type',
          message:
            'is "oidc", but this job cannot request an OIDC token: give the workflow or job `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL is not set), or choose another auth-type.',
        },
      ]);
    }
    const credential = buildCredential(settings, {
      reporter,
      // getIDToken masks the token it returns; a fresh one is fetched for every Entra token request.
      oidcAssertion: () => core.getIDToken(OIDC_AUDIENCE),
    });
    const client = new AksClient({
      credential,
      cloud: settings.cloud,
      subscriptionId: settings.subscriptionId,
      resourceGroup: settings.resourceGroup,
      clusterName: settings.clusterName,
      userAgent: 'aks-guard-github-action',
    });
    const outcome = await runGuard(settings, { client, reporter, signal: cancel.signal });
    for (const [name, value] of Object.entries(outputsOf(settings, outcome)))
      core.setOutput(name, value);
    await core.summary.addRaw(renderSummary(settings, outcome)).write();
    if (outcome.failed) core.setFailed(outcome.message);
  } catch (err) {
    core.setOutput('result', 'failed');
    if (err instanceof InputError) {
      core.setOutput('error-code', 'InvalidInput');
      core.setFailed(err.message);
      return;
    }
    core.setOutput('error-code', 'UnexpectedError');
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}
