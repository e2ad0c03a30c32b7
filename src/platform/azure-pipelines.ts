/**
 * The Azure Pipelines front door: inputs and the AzureRM service connection through
 * azure-pipelines-task-lib, outputs as output variables, the result through setResult, warnings and
 * errors as logging issues, secrets registered with setSecret, and the summary attached to the build.
 * The only file of the task that imports task-lib, and it is bundled on its own: task-lib empties
 * INPUT_* variables when it is imported, which would break the GitHub Action.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tl from 'azure-pipelines-task-lib/task.js';
import type { CredentialDeps } from '../core/credentials.ts';
import { cancelOnSignals } from '../core/cancellation.ts';
import { executeRun } from '../core/run.ts';
import { renderSummary } from '../core/report/summary.ts';
import type { Reporter } from '../core/reporter.ts';
import { commentMarker } from '../core/report/marker.ts';
import {
  CLOUDS,
  INPUT_NAMES,
  InputError,
  parseSettings,
  type AuthType,
  type Settings,
} from '../core/settings.ts';
import { pullRequestFromVariables, upsertThreadComment } from './azure-devops-comment.ts';

/** The task's input name for each of the core's inputs (camelCase, as task.json declares them). */
export function taskInputName(input: string): string {
  if (input === 'comment-on-pr') return 'commentOnPullRequest';
  return input.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Output variable names: the Action's outputs in camelCase. */
export function outputVariableName(output: string): string {
  return taskInputName(output);
}

/** A problem with the service connection: what is wrong and what to do. */
export class ServiceConnectionError extends Error {}

let warned = false;
const masked = new Set<string>();

const reporter: Reporter = {
  info: (line) => console.log(line),
  warning: (line) => {
    warned = true;
    tl.warning(line);
  },
  error: (line) => tl.error(line),
  debug: (line) => tl.debug(line),
  startGroup: (name) => console.log(`##[group]${name}`),
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

interface Connection {
  id: string;
  scheme: string;
  authType: AuthType;
  subscriptionId: string;
  clientId?: string;
  tenantId?: string;
  clientSecret?: string;
  clientCertificate?: string;
  armEndpoint: string;
  authorityHost?: string;
  environment: string;
}

/** Reads the AzureRM service connection the task input names. */
export function readConnection(id: string): Connection {
  // The whole authorization at once: task-lib's per-parameter getter logs each value in debug.
  const auth = tl.getEndpointAuthorization(id, true);
  const scheme = auth?.scheme ?? tl.getEndpointAuthorizationScheme(id, true);
  if (!scheme) throw new ServiceConnectionError(tl.loc('MissingServiceConnection', id));
  const parameters = auth?.parameters ?? {};
  const param = (key: string): string | undefined => {
    const found = Object.keys(parameters).find((k) => k.toLowerCase() === key.toLowerCase());
    return (found !== undefined ? parameters[found]?.trim() : undefined) || undefined;
  };
  for (const secret of ['serviceprincipalkey', 'servicePrincipalCertificate']) {
    const value = param(secret);
    if (value) reporter.mask(value);
  }
  const data = (key: string): string | undefined =>
    tl.getEndpointDataParameter(id, key, true)?.trim() || undefined;
  const subscriptionId = data('subscriptionId');
  if (!subscriptionId) throw new ServiceConnectionError(tl.loc('MissingSubscription', id));
  const base = {
    id,
    scheme,
    subscriptionId,
    armEndpoint: (tl.getEndpointUrl(id, true) ?? '').replace(/\/+$/, ''),
    environment: data('environment') ?? 'AzureCloud',
    ...(data('activeDirectoryAuthority') || data('environmentAuthorityUrl')
      ? { authorityHost: (data('activeDirectoryAuthority') ?? data('environmentAuthorityUrl'))! }
      : {}),
  };
  const tenantId = param('tenantid');
  const clientId = param('serviceprincipalid');
  switch (scheme.toLowerCase()) {
    case 'workloadidentityfederation':
      return {
        ...base,
        authType: 'oidc',
        ...(tenantId ? { tenantId } : {}),
        ...(clientId ? { clientId } : {}),
      };
    case 'serviceprincipal': {
      const certificate = param('servicePrincipalCertificate');
      const secret = param('serviceprincipalkey');
      const kind = (param('authenticationType') ?? 'spnKey').toLowerCase();
      return {
        ...base,
        authType: 'service-principal',
        ...(tenantId ? { tenantId } : {}),
        ...(clientId ? { clientId } : {}),
        ...(kind === 'spncertificate' && certificate
          ? { clientCertificate: certificate }
          : secret
            ? { clientSecret: secret }
            : {}),
      };
    }
    case 'managedserviceidentity': {
      const msiClientId = data('msiclientId');
      return {
        ...base,
        authType: 'managed-identity',
        ...(msiClientId ? { clientId: msiClientId } : {}),
      };
    }
    default:
      throw new ServiceConnectionError(tl.loc('UnsupportedScheme', id, scheme));
  }
}

/** The cloud of a service connection: a public cloud by name, anything else as custom endpoints. */
function cloudInputs(c: Connection): Record<string, string> {
  const known = Object.values(CLOUDS).find(
    (cloud) => cloud.armEndpoint === c.armEndpoint || cloud.name === c.environment,
  );
  if (known && (c.armEndpoint === '' || known.armEndpoint === c.armEndpoint))
    return { environment: known.name };
  return {
    environment: 'custom',
    'arm-endpoint': c.armEndpoint,
    'authority-host': (c.authorityHost ?? 'https://login.microsoftonline.com').replace(/\/+$/, ''),
  };
}

/** Renames the core's input names (kebab-case) to the task's in an error message. */
function forTask(message: string): string {
  let out = message;
  for (const name of INPUT_NAMES) {
    if (!name.includes('-')) continue;
    out = out.replace(new RegExp(`\\b${name}\\b`, 'g'), taskInputName(name));
  }
  return out;
}

export async function run(): Promise<void> {
  // task.json sits beside dist/: its `messages` are the user-facing texts (localizable).
  tl.setResourcePath(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'task.json'));
  const cancel = cancelOnSignals((signal) =>
    reporter.warning(`Received ${signal}: the job is being cancelled.`),
  );
  const setOutputs = (values: Record<string, string>): void => {
    for (const [name, value] of Object.entries(values))
      tl.setVariable(outputVariableName(name), value, false, true);
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
    const c = readConnection(connectionId);
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
              (tl.getEndpointAuthorization('SYSTEMVSSCONNECTION', true)?.parameters?.AccessToken ??
              '')
            : (tl.getInput(taskInputName(name), false) ?? ''),
      env: {},
      defaultAuthType: c.authType,
      ...(c.clientCertificate ? { clientCertificate: c.clientCertificate } : {}),
    });
    for (const w of warnings) reporter.warning(forTask(w));

    const deps: CredentialDeps = { reporter };
    if (c.authType === 'oidc') {
      // From the job's own connection first: task-lib's getVariable logs the value in debug.
      const token =
        tl.getEndpointAuthorization('SYSTEMVSSCONNECTION', true)?.parameters?.AccessToken ||
        tl.getVariable('System.AccessToken');
      if (!token) throw new ServiceConnectionError(tl.loc('MissingAccessToken'));
      deps.azurePipelines = { serviceConnectionId: c.id, systemAccessToken: token };
    }
    const { outcome, diagnosis, outputs } = await executeRun(settings, {
      ...deps,
      userAgent: 'aks-guard-azure-pipelines',
      signal: cancel.signal,
    });
    setOutputs(outputs);
    const summary = renderSummary(settings, outcome, diagnosis, { mermaid: false });
    const dir = tl.getVariable('Agent.TempDirectory') ?? process.cwd();
    const file = path.join(dir, `aks-guard-${settings.clusterName}.md`);
    writeFileSync(file, summary);
    tl.addAttachment('Distributedtask.Core.Summary', `AKS Guard ${settings.clusterName}`, file);
    if (settings.comment.onPr) await commentOnPullRequest(settings, summary);
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
    const message = err instanceof Error ? err.message : String(err);
    tl.setResult(tl.TaskResult.Failed, err instanceof InputError ? forTask(message) : message);
  }
}

/** The sticky thread comment on the pull request this build belongs to; never fails the run. */
async function commentOnPullRequest(settings: Settings, body: string): Promise<void> {
  const pr = pullRequestFromVariables((name) => tl.getVariable(name) || undefined);
  if (!pr) {
    console.log(
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
    console.log(
      `Pull-request comment ${result.action} (thread ${result.threadId})${result.truncated ? ', cut to fit' : ''}.`,
    );
}
