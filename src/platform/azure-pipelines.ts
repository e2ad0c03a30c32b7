/**
 * The Azure Pipelines front door: inputs and the AzureRM service connection through
 * azure-pipelines-task-lib, outputs as output variables, the result through setResult, warnings and
 * errors as logging issues, secrets registered with setSecret, the summary attached to the build,
 * and the pull-request thread comment. The step itself is runStep's (core/step.ts); this is the
 * Platform it runs on.
 * With service-connection.ts, the only files of the task that import task-lib, and they are
 * bundled on their own: task-lib empties INPUT_* variables when it is imported, which would break
 * the GitHub Action.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tl from 'azure-pipelines-task-lib/task.js';
import { cancelOnSignals } from '../core/cancellation.ts';
import { camelCase, SPELLINGS } from '../core/inputs.ts';
import type { Reporter } from '../core/reporter.ts';
import { commentMarker } from '../core/report/marker.ts';
import { InputError, type Settings } from '../core/settings.ts';
import { runStep, type Platform } from '../core/step.ts';
import { pullRequestFromVariables, upsertThreadComment } from './azure-devops-comment.ts';
import { azurePipelinesSafe } from './log-safety.ts';
import {
  cloudInputs,
  readConnection,
  ServiceConnectionError,
  type Connection,
} from './service-connection.ts';

/** The task's input name for each of the core's inputs (task.json; from the table in inputs.ts). */
export const taskInputName = (input: string): string => SPELLINGS.task.name(input);

/** Output variable names: the Action's outputs in camelCase. */
export function outputVariableName(output: string): string {
  return camelCase(output);
}

/** The sticky thread comment on the pull request this build belongs to; never fails the run. */
async function commentOnPullRequest(
  body: string,
  settings: Settings,
  log: Reporter,
): Promise<void> {
  const pr = pullRequestFromVariables((name) => tl.getVariable(name) || undefined);
  if (!pr) {
    log.info(
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
  if (result.action === 'skipped') log.warning(`No pull-request comment: ${result.reason}`);
  else
    log.info(
      `Pull-request comment ${result.action} (thread ${result.threadId})${result.truncated ? ', cut to fit' : ''}${result.note ? `; ${result.note}` : ''}.`,
    );
}

/** The task as a Platform: what runStep needs from the agent. */
export function azurePipelinesPlatform(signal?: AbortSignal): Platform {
  let warned = false;
  const masked = new Set<string>();
  // The agent runs `##vso[` anywhere in a line as a command (and `##[` formats it): every line the
  // core prints goes through azurePipelinesSafe. task-lib escapes the data of its own commands.
  const log: Reporter = {
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
  let connection: Connection | undefined;
  let accessToken = '';
  let file: string | undefined;
  return {
    frontDoor: 'task',
    userAgent: 'aks-guard-azure-pipelines',
    log,
    ...(signal ? { signal } : {}),
    workspace: tl.getVariable('Build.SourcesDirectory') || process.cwd(),
    mermaid: false,
    readInputs: (mask) => {
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
      accessToken =
        tl.getEndpointAuthorization('SYSTEMVSSCONNECTION', true)?.parameters?.AccessToken ?? '';
      if (accessToken) mask(accessToken);
      const c = readConnection(connectionId, mask);
      connection = c;
      const fromConnection: Record<string, string> = {
        'subscription-id': c.subscriptionId,
        'auth-type': c.authType,
        ...(c.clientId ? { 'client-id': c.clientId } : {}),
        ...(c.tenantId ? { 'tenant-id': c.tenantId } : {}),
        ...(c.clientSecret ? { 'client-secret': c.clientSecret } : {}),
        ...cloudInputs(c),
      };
      return {
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
      };
    },
    credentials: (settings, mask) => {
      if (settings.auth.type !== 'oidc' || !connection) return {};
      // From the job's own connection first: task-lib's getVariable logs the value in debug.
      const token = accessToken || tl.getVariable('System.AccessToken');
      if (!token) throw new ServiceConnectionError(tl.loc('MissingAccessToken'));
      mask(token);
      return { azurePipelines: { serviceConnectionId: connection.id, systemAccessToken: token } };
    },
    setOutput: (name, value) => tl.setVariable(outputVariableName(name), value, false, true),
    writeSummary: async (markdown, settings) => {
      // A second record (after a cancellation's abort) rewrites the same attachment's file.
      const first = file === undefined;
      file ??= path.join(
        tl.getVariable('Agent.TempDirectory') ?? process.cwd(),
        `aks-guard-${settings.clusterName}.md`,
      );
      writeFileSync(file, markdown);
      if (first)
        tl.addAttachment('Distributedtask.Core.Summary', `AKS Guard ${settings.clusterName}`, file);
    },
    shareComment: commentOnPullRequest,
    setSucceeded: (message) =>
      tl.setResult(warned ? tl.TaskResult.SucceededWithIssues : tl.TaskResult.Succeeded, message),
    setFailed: (message, run) =>
      tl.setResult(
        tl.TaskResult.Failed,
        run?.diagnosis
          ? `${message} (${run.title}: see the AKS Guard summary for the fix)`
          : message,
      ),
    errorCodeOf: (err) =>
      err instanceof ServiceConnectionError ? 'InvalidServiceConnection' : undefined,
  };
}

export async function run(): Promise<void> {
  // task.json sits beside dist/: its `messages` are the user-facing texts (localizable).
  tl.setResourcePath(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'task.json'));
  const platform = azurePipelinesPlatform();
  const cancel = cancelOnSignals((signal) =>
    platform.log.warning(`Received ${signal}: the job is being cancelled.`),
  );
  await runStep({ ...platform, signal: cancel.signal });
}
