/**
 * The Azure Pipelines front door: inputs and the AzureRM service connection through
 * azure-pipelines-task-lib, outputs as output variables, the result through setResult, warnings and
 * errors as logging issues, secrets registered with setSecret, and the summary attached to the build.
 * With service-connection.ts, the only files of the task that import task-lib, and they are
 * bundled on their own: task-lib empties INPUT_* variables when it is imported, which would break
 * the GitHub Action.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tl from 'azure-pipelines-task-lib/task.js';
import type { CredentialDeps } from '../core/credentials.ts';
import { cancelOnSignals } from '../core/cancellation.ts';
import { executeRun, type RunResult } from '../core/run.ts';
import { Secrets } from '../core/redact.ts';
import { renderSummary } from '../core/report/summary.ts';
import { redactingReporter, type Reporter } from '../core/reporter.ts';
import { commentMarker } from '../core/report/marker.ts';
import { InputError, parseSettings, respellInputs, type Settings } from '../core/settings.ts';
import { pullRequestFromVariables, upsertThreadComment } from './azure-devops-comment.ts';
import { azurePipelinesSafe } from './log-safety.ts';
import { cloudInputs, readConnection, ServiceConnectionError } from './service-connection.ts';

/** The task's input name for each of the core's inputs (camelCase, as task.json declares them). */
export function taskInputName(input: string): string {
  if (input === 'comment-on-pr') return 'commentOnPullRequest';
  return input.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Output variable names: the Action's outputs in camelCase. */
export function outputVariableName(output: string): string {
  return taskInputName(output);
}

let warned = false;
const masked = new Set<string>();

// The agent runs `##vso[` anywhere in a line as a command (and `##[` formats it): every line the
// core prints goes through azurePipelinesSafe. task-lib escapes the data of its own commands.
const agentLog: Reporter = {
  info: (line) => console.log(azurePipelinesSafe(line)),
  warning: (line) => {
    warned = true;
    tl.warning(azurePipelinesSafe(line));
  },
  error: (line) => tl.error(azurePipelinesSafe(line)),
  debug: (line) => tl.debug(azurePipelinesSafe(line)),
  startGroup: (name) => console.log(`##[group]${azurePipelinesSafe(name)}`),
  endGroup: () => console.log('##[endgroup]'),
  // task-lib refuses multi-line secrets: a PEM is masked line by line, each value once.
  mask: (secret) => {
    for (const line of secret.split(/\r?\n/).map((l) => l.trim()))
      if (line.length >= 8 && !line.startsWith('-----') && !masked.has(line)) {
        masked.add(line);
        tl.setSecret(line);
      }
  },
};

/** Every secret of this run; the agent masks its log, but not the summary attachment or the PR thread. */
const secrets = new Secrets();
const reporter = redactingReporter(agentLog, secrets);

/** Renames the core's input names (kebab-case) to the task's in an error message. */
function forTask(message: string): string {
  // Not inside a value: cluster "aks-dry-run" or a path stays as it is.
  return respellInputs(message, taskInputName);
}

export async function run(): Promise<void> {
  // task.json sits beside dist/: its `messages` are the user-facing texts (localizable).
  tl.setResourcePath(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'task.json'));
  const cancel = cancelOnSignals((signal) =>
    reporter.warning(`Received ${signal}: the job is being cancelled.`),
  );
  const setOutputs = (values: Record<string, string>): void => {
    for (const [name, value] of Object.entries(values))
      tl.setVariable(outputVariableName(name), secrets.redact(value), false, true);
  };
  try {
    const connectionId = tl.getInput('azureSubscription', false)?.trim() ?? '';
    if (!connectionId)
      throw new InputError([
        {
          input: 'azureSubscription',
          message: 'is required: the Azure Resource Manager service connection to sign in with.',
        },
      ]);
    // The job's access token is a secret from the start: it goes into the OIDC request and the
    // PR thread calls, and SDK errors have been seen to carry it.
    const accessToken =
      tl.getEndpointAuthorization('SYSTEMVSSCONNECTION', true)?.parameters?.AccessToken ?? '';
    if (accessToken) reporter.mask(accessToken);
    const c = readConnection(connectionId, (secret) => reporter.mask(secret));
    const fromConnection: Record<string, string> = {
      'subscription-id': c.subscriptionId,
      'auth-type': c.authType,
      ...(c.clientId ? { 'client-id': c.clientId } : {}),
      ...(c.tenantId ? { 'tenant-id': c.tenantId } : {}),
      ...(c.clientSecret ? { 'client-secret': c.clientSecret } : {}),
      ...cloudInputs(c),
    };
    const { settings, warnings } = parseSettings({
      get: (name) =>
        name in fromConnection
          ? fromConnection[name]!
          : name === 'github-token'
            ? // The comment's token on this platform: the job's own access token.
              accessToken
            : (tl.getInput(taskInputName(name), false) ?? ''),
      env: {},
      defaultAuthType: c.authType,
      ...(c.clientCertificate ? { clientCertificate: c.clientCertificate } : {}),
      workspace: tl.getVariable('Build.SourcesDirectory') || process.cwd(),
    });
    for (const w of warnings) reporter.warning(forTask(w));

    const deps: CredentialDeps = { reporter };
    if (c.authType === 'oidc') {
      // From the job's own connection first: task-lib's getVariable logs the value in debug.
      const token = accessToken || tl.getVariable('System.AccessToken');
      if (!token) throw new ServiceConnectionError(tl.loc('MissingAccessToken'));
      reporter.mask(token);
      deps.azurePipelines = { serviceConnectionId: c.id, systemAccessToken: token };
    }
    const dir = tl.getVariable('Agent.TempDirectory') ?? process.cwd();
    const file = path.join(dir, `aks-guard-${settings.clusterName}.md`);
    let attached = false;
    const summaryOf = ({ outcome, diagnosis }: RunResult): string =>
      secrets.redact(renderSummary(settings, outcome, diagnosis, { mermaid: false }));
    const { outcome, diagnosis } = await executeRun(settings, {
      ...deps,
      userAgent: 'aks-guard-azure-pipelines',
      signal: cancel.signal,
      secrets,
      publish: {
        record: async (result) => {
          setOutputs(result.outputs);
          // A second record (after a cancellation's abort) rewrites the same attachment's file.
          writeFileSync(file, summaryOf(result));
          if (!attached)
            tl.addAttachment(
              'Distributedtask.Core.Summary',
              `AKS Guard ${settings.clusterName}`,
              file,
            );
          attached = true;
        },
        share: async (result) => {
          if (settings.comment.onPr) await commentOnPullRequest(settings, summaryOf(result));
        },
      },
    });
    if (outcome.failed) {
      tl.setResult(
        tl.TaskResult.Failed,
        diagnosis
          ? `${outcome.message} (${diagnosis.title}: see the AKS Guard summary for the fix)`
          : outcome.message,
      );
    } else if (warned) {
      tl.setResult(tl.TaskResult.SucceededWithIssues, outcome.message);
    } else {
      tl.setResult(tl.TaskResult.Succeeded, outcome.message);
    }
  } catch (err) {
    setOutputs({
      result: 'failed',
      'error-code':
        err instanceof InputError
          ? 'InvalidInput'
          : err instanceof ServiceConnectionError
            ? 'InvalidServiceConnection'
            : 'UnexpectedError',
    });
    const message = secrets.redact(err instanceof Error ? err.message : String(err));
    tl.setResult(tl.TaskResult.Failed, err instanceof InputError ? forTask(message) : message);
  }
}

/** The sticky thread comment on the pull request this build belongs to; never fails the run. */
async function commentOnPullRequest(settings: Settings, body: string): Promise<void> {
  const pr = pullRequestFromVariables((name) => tl.getVariable(name) || undefined);
  if (!pr) {
    reporter.info(
      'commentOnPullRequest: this build is not for a pull request (System.PullRequest.PullRequestId is empty); no comment.',
    );
    return;
  }
  const result = await upsertThreadComment({
    pr,
    accessToken: settings.comment.token ?? '',
    marker: commentMarker(settings.subscriptionId, settings.resourceGroup, settings.clusterName),
    body,
  });
  if (result.action === 'skipped') reporter.warning(`No pull-request comment: ${result.reason}`);
  else
    reporter.info(
      `Pull-request comment ${result.action} (thread ${result.threadId})${result.truncated ? ', cut to fit' : ''}${result.note ? `; ${result.note}` : ''}.`,
    );
}
