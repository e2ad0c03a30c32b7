/**
 * The GitHub Actions front door: inputs through @actions/core, the runner's OIDC token, outputs,
 * the job summary, log groups and annotations, the sticky pull-request comment, and cancellation
 * (SIGINT/SIGTERM). The step itself is runStep's (core/step.ts); this is the Platform it runs on.
 * The only file of the Action that imports a runner SDK.
 */
import * as core from '@actions/core';
import { cancelOnSignals } from '../core/cancellation.ts';
import type { Reporter } from '../core/reporter.ts';
import { InputError, type Settings } from '../core/settings.ts';
import { runStep, type Platform } from '../core/step.ts';
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
  body: string,
  settings: Settings,
  log: Reporter,
): Promise<void> {
  const pr = pullRequestOf(process.env);
  if (!pr) {
    log.info(
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
  if (result.action === 'skipped') log.warning(`No pull-request comment: ${result.reason}`);
  else
    log.info(
      `Pull-request comment ${result.action}: ${result.url}${result.truncated ? ' (cut to fit GitHub’s limit)' : ''}${result.note ? `; ${result.note}` : ''}`,
    );
}

/** The Action as a Platform: what runStep needs from the runner. */
export function githubPlatform(signal?: AbortSignal): Platform {
  return {
    frontDoor: 'action',
    userAgent: 'aks-guard-github-action',
    log: runnerLog,
    ...(signal ? { signal } : {}),
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    mermaid: true,
    readInputs: () => ({
      get: (name) => core.getInput(name),
      env: process.env,
      defaultAuthType: 'oidc',
    }),
    credentials: (settings) => {
      if (settings.auth.type === 'oidc' && !process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
        throw new InputError([
          {
            input: 'auth-type',
            message:
              'is "oidc", but this job cannot request an OIDC token: give the workflow or job `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL is not set), or choose another auth-type.',
          },
        ]);
      }
      // getIDToken masks the token it returns; a fresh one is fetched for every Entra token request.
      return { oidcAssertion: () => core.getIDToken(OIDC_AUDIENCE) };
    },
    setOutput: (name, value) => core.setOutput(name, value),
    writeSummary: async (markdown) => {
      // A second record (after a cancellation's abort) replaces the first.
      await core.summary.addRaw(markdown).write({ overwrite: true });
    },
    shareComment: commentOnPullRequest,
    setSucceeded: () => undefined,
    setFailed: (message, run) => {
      if (!run) return core.setFailed(message);
      // One annotation, titled with the diagnosis, pointing at the summary for the fix.
      core.error(run.diagnosis ? `${message} See the job summary for how to fix it.` : message, {
        title: `aks-guard: ${run.title}`,
      });
      process.exitCode = 1;
    },
  };
}

export async function run(): Promise<void> {
  const cancel = cancelOnSignals((signal) =>
    core.warning(`Received ${signal}: the job is being cancelled.`),
  );
  await runStep(githubPlatform(cancel.signal));
}
