/**
 * The GitHub Actions front door: inputs through @actions/core, the runner's OIDC token, outputs,
 * the job summary, log groups and annotations, and cancellation (SIGINT/SIGTERM).
 * The only file of the Action that imports a runner SDK.
 */
import * as core from '@actions/core';
import { cancelOnSignals } from '../core/cancellation.ts';
import { executeRun, type RunResult } from '../core/run.ts';
import type { Outcome } from '../core/outcome.ts';
import { Secrets } from '../core/redact.ts';
import { redactingReporter, type Reporter } from '../core/reporter.ts';
import { renderSummary } from '../core/report/summary.ts';
import { InputError, parseSettings, type Settings } from '../core/settings.ts';
import { commentMarker, pullRequestOf, upsertStickyComment } from './github-comment.ts';
import { githubSafe } from './log-safety.ts';

export const OIDC_AUDIENCE = 'api://AzureADTokenExchange';

// core.info prints a line as it is: text from Azure in it could be read as a workflow command.
// The other calls are workflow commands themselves, whose data the runner does not interpret.
const runnerLog: Reporter = {
  info: (line) => core.info(githubSafe(line)),
  warning: (line) => core.warning(line),
  error: (line) => core.error(line),
  debug: (line) => core.debug(line),
  startGroup: (name) => core.startGroup(name),
  endGroup: () => core.endGroup(),
  mask: (secret) => core.setSecret(secret),
};

/** The sticky comment on the pull request this run belongs to; never fails the run. */
async function commentOnPullRequest(
  settings: Settings,
  body: string,
  reporter: Reporter,
): Promise<void> {
  const pr = pullRequestOf(process.env);
  if (!pr) {
    reporter.info(
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
  if (result.action === 'skipped') reporter.warning(`No pull-request comment: ${result.reason}`);
  else
    reporter.info(
      `Pull-request comment ${result.action}: ${result.url}${result.truncated ? ' (cut to fit GitHub’s limit)' : ''}${result.note ? `; ${result.note}` : ''}`,
    );
}

/** The annotation's title when there is no diagnosis (the run failed for a reason of its own). */
function titleOf(outcome: Outcome): string {
  return outcome.error?.code === 'Cancelled' ? 'the job was cancelled' : 'the run failed';
}

export async function run(): Promise<void> {
  const cancel = cancelOnSignals((signal) =>
    core.warning(`Received ${signal}: the job is being cancelled.`),
  );
  const secrets = new Secrets();
  const reporter = redactingReporter(runnerLog, secrets);
  try {
    for (const name of ['client-secret', 'github-token']) {
      const secret = core.getInput(name);
      if (secret) reporter.mask(secret);
    }
    const { settings, warnings } = parseSettings({
      get: (name) => core.getInput(name),
      env: process.env,
      defaultAuthType: 'oidc',
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    });
    for (const w of warnings) reporter.warning(w);
    if (settings.auth.type === 'oidc' && !process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
      throw new InputError([
        {
          input: 'auth-type',
          message:
            'is "oidc", but this job cannot request an OIDC token: give the workflow or job `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL is not set), or choose another auth-type.',
        },
      ]);
    }
    const { outcome, diagnosis } = await executeRun(settings, {
      reporter,
      // getIDToken masks the token it returns; a fresh one is fetched for every Entra token request.
      oidcAssertion: () => core.getIDToken(OIDC_AUDIENCE),
      userAgent: 'aks-guard-github-action',
      signal: cancel.signal,
      secrets,
      publish: {
        record: async ({ outcome, diagnosis, outputs }: RunResult) => {
          for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
          const summary = secrets.redact(renderSummary(settings, outcome, diagnosis));
          // A second record (after a cancellation's abort) replaces the first.
          await core.summary.addRaw(summary).write({ overwrite: true });
        },
        share: async ({ outcome, diagnosis }: RunResult) => {
          if (settings.comment.onPr)
            await commentOnPullRequest(
              settings,
              secrets.redact(renderSummary(settings, outcome, diagnosis)),
              reporter,
            );
        },
      },
    });
    if (outcome.failed) {
      // One annotation, titled with the diagnosis, pointing at the summary for the fix.
      core.error(
        diagnosis ? `${outcome.message} See the job summary for how to fix it.` : outcome.message,
        { title: `aks-guard: ${diagnosis ? secrets.redact(diagnosis.title) : titleOf(outcome)}` },
      );
      process.exitCode = 1;
    }
  } catch (err) {
    core.setOutput('result', 'failed');
    if (err instanceof InputError) {
      core.setOutput('error-code', 'InvalidInput');
      core.setFailed(secrets.redact(err.message));
      return;
    }
    core.setOutput('error-code', 'UnexpectedError');
    core.setFailed(secrets.redact(err instanceof Error ? err.message : String(err)));
  }
}
