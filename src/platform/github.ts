/**
 * The GitHub Actions front door: inputs through @actions/core, the runner's OIDC token, outputs,
 * the job summary, log groups and annotations, and cancellation (SIGINT/SIGTERM).
 * The only file of the Action that imports a runner SDK.
 */
import * as core from '@actions/core';
import { cancelOnSignals } from '../core/cancellation.ts';
import { executeRun } from '../core/run.ts';
import type { Reporter } from '../core/reporter.ts';
import { renderSummary } from '../core/report/summary.ts';
import { InputError, parseSettings, type Settings } from '../core/settings.ts';
import { commentMarker, pullRequestOf, upsertStickyComment } from './github-comment.ts';

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

/** The sticky comment on the pull request this run belongs to; never fails the run. */
async function commentOnPullRequest(settings: Settings, body: string): Promise<void> {
  const pr = pullRequestOf(process.env);
  if (!pr) {
    core.info(
      `comment-on-pr: this run is for a ${process.env.GITHUB_EVENT_NAME ?? 'non-pull-request'} event, not a pull request; no comment.`,
    );
    return;
  }
  const result = await upsertStickyComment({
    token: settings.comment.token ?? '',
    ...(process.env.GITHUB_API_URL ? { apiUrl: process.env.GITHUB_API_URL } : {}),
    ...pr,
    marker: commentMarker(settings.subscriptionId, settings.resourceGroup, settings.clusterName),
    body,
  });
  if (result.action === 'skipped') core.warning(`No pull-request comment: ${result.reason}`);
  else
    core.info(
      `Pull-request comment ${result.action}: ${result.url}${result.truncated ? ' (cut to fit GitHub’s limit)' : ''}`,
    );
}

export async function run(): Promise<void> {
  const cancel = cancelOnSignals((signal) =>
    core.warning(`Received ${signal}: the job is being cancelled.`),
  );
  try {
    for (const name of ['client-secret', 'github-token']) {
      const secret = core.getInput(name);
      if (secret) core.setSecret(secret);
    }
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
    const { outcome, diagnosis, outputs } = await executeRun(settings, {
      reporter,
      // getIDToken masks the token it returns; a fresh one is fetched for every Entra token request.
      oidcAssertion: () => core.getIDToken(OIDC_AUDIENCE),
      userAgent: 'aks-guard-github-action',
      signal: cancel.signal,
    });
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
    const summary = renderSummary(settings, outcome, diagnosis);
    await core.summary.addRaw(summary).write();
    if (settings.comment.onPr) await commentOnPullRequest(settings, summary);
    if (outcome.failed) {
      // One annotation, titled with the diagnosis, pointing at the summary for the fix.
      core.error(
        diagnosis ? `${outcome.message} See the job summary for how to fix it.` : outcome.message,
        { title: diagnosis ? `aks-guard: ${diagnosis.title}` : 'aks-guard' },
      );
      process.exitCode = 1;
    }
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
