/**
 * Runs the built Azure DevOps task (tasks/AksGuardV1/dist/index.js) the way the agent does: a fresh
 * Node process with INPUT_* (task.json defaults filled in), the service connection as
 * ENDPOINT_URL_* / ENDPOINT_AUTH_* / ENDPOINT_DATA_*, System.AccessToken as a secret variable,
 * SYSTEM_* / BUILD_* / AGENT_* variables; then reads back the ##vso[...] logging commands.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './action-runner.ts';
import { spawnBundle, type SpawnOptions } from './spawn-bundle.ts';

export const TASK_DIR = path.join(ROOT, 'tasks/AksGuardV1');
export const TASK_BUNDLE = path.join(TASK_DIR, 'dist/index.js');

interface TaskJson {
  inputs: { name: string; defaultValue?: string | boolean }[];
}

export function taskJson(): TaskJson & Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(TASK_DIR, 'task.json'), 'utf8')) as TaskJson &
    Record<string, unknown>;
}

/** An AzureRM service connection as the agent hands it to a task. */
export interface ServiceConnection {
  id: string;
  url: string;
  scheme: string;
  parameters: Record<string, string>;
  data: Record<string, string>;
}

export interface TaskRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Output variables set with isOutput=true. */
  outputs: Record<string, string>;
  /** task.complete result (Succeeded, SucceededWithIssues, Failed, …) and its message. */
  result?: string;
  resultMessage?: string;
  issues: { type: string; message: string }[];
  secrets: string[];
  /** Attachments: type, name and the file's content (read before the temp directory goes). */
  attachments: { type: string; name: string; content: string }[];
}

export interface TaskRunOptions extends SpawnOptions {
  /** The service connection to hand over (or give it in agentEnv, e.g. the simulator's taskEnv()). */
  connection?: ServiceConnection;
  /** Variables as the agent sets them (SYSTEM_*, ENDPOINT_*, SECRET_*), merged over the defaults. */
  agentEnv?: Record<string, string>;
  /** System and build variables (e.g. from the simulator), merged over the defaults. */
  variables?: Record<string, string | undefined>;
  /** System.AccessToken; absent means the job has none. */
  accessToken?: string;
  extraEnv?: Record<string, string | undefined>;
}

/** The agent's rule for variable names in the environment: dots and spaces become _, upper-cased. */
export function envName(name: string): string {
  return name.replace(/[. ]/g, '_').toUpperCase();
}

function unescapeProperty(v: string): string {
  return v
    .replace(/%3B/g, ';')
    .replace(/%5D/g, ']')
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%AZP25/g, '%');
}

function unescapeData(v: string): string {
  return v
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%AZP25/g, '%');
}

/** Parses `##vso[command k=v;k=v;]data` lines. */
export function vsoCommands(
  stdout: string,
): { command: string; props: Record<string, string>; data: string }[] {
  const out: { command: string; props: Record<string, string>; data: string }[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^##vso\[([\w.]+)(?: ([^\]]*))?\](.*)$/.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(';')) {
      const at = pair.indexOf('=');
      if (at > 0) props[pair.slice(0, at).trim()] = unescapeProperty(pair.slice(at + 1));
    }
    out.push({ command: m[1]!, props, data: unescapeData(m[3] ?? '') });
  }
  return out;
}

export async function runTask(
  inputs: Record<string, string>,
  options: TaskRunOptions,
): Promise<TaskRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-task-'));
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      AGENT_TEMPDIRECTORY: dir,
      AGENT_WORKFOLDER: dir,
      AGENT_VERSION: '4.266.2',
      SYSTEM_HOSTTYPE: 'build',
      SYSTEM_CULTURE: 'en-US',
      BUILD_REASON: 'IndividualCI',
      TF_BUILD: 'True',
    };
    // Every declared input, with its default, as the agent does.
    for (const input of taskJson().inputs)
      env[`INPUT_${envName(input.name)}`] = String(input.defaultValue ?? '');
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${envName(name)}`] = value;
    const c = options.connection;
    if (c) {
      env[`ENDPOINT_URL_${c.id}`] = c.url;
      env[`ENDPOINT_AUTH_${c.id}`] = JSON.stringify({ parameters: c.parameters, scheme: c.scheme });
      env[`ENDPOINT_AUTH_SCHEME_${c.id}`] = c.scheme;
      for (const [k, v] of Object.entries(c.parameters))
        env[`ENDPOINT_AUTH_PARAMETER_${c.id}_${k.toUpperCase()}`] = v;
      env[`ENDPOINT_DATA_${c.id}`] = JSON.stringify(c.data);
      for (const [k, v] of Object.entries(c.data))
        env[`ENDPOINT_DATA_${c.id}_${k.toUpperCase()}`] = v;
    }
    Object.assign(env, options.agentEnv ?? {});
    const secretNames: string[] = [];
    if (options.accessToken) {
      env.SECRET_SYSTEM_ACCESSTOKEN = options.accessToken;
      secretNames.push('System.AccessToken');
      env.ENDPOINT_URL_SYSTEMVSSCONNECTION = options.variables?.SYSTEM_COLLECTIONURI ?? '';
      env.ENDPOINT_AUTH_SYSTEMVSSCONNECTION = JSON.stringify({
        parameters: { AccessToken: options.accessToken },
        scheme: 'OAuth',
      });
    }
    if (env.SECRET_SYSTEM_ACCESSTOKEN && !secretNames.includes('System.AccessToken'))
      secretNames.push('System.AccessToken');
    env.VSTS_SECRET_VARIABLES = JSON.stringify(secretNames);
    for (const [k, v] of Object.entries({ ...options.variables, ...options.extraEnv })) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const { code, stdout, stderr } = await spawnBundle(TASK_BUNDLE, env, dir, options);
    const commands = vsoCommands(stdout);
    const outputs: Record<string, string> = {};
    const run: TaskRun = {
      code,
      stdout,
      stderr,
      outputs,
      issues: [],
      secrets: [],
      attachments: [],
    };
    for (const cmd of commands) {
      if (cmd.command === 'task.setvariable' && cmd.props.isOutput === 'true')
        outputs[cmd.props.variable!] = cmd.data;
      if (cmd.command === 'task.complete') {
        run.result = cmd.props.result;
        run.resultMessage = cmd.data;
      }
      if (cmd.command === 'task.issue' || cmd.command === 'task.logissue')
        run.issues.push({ type: cmd.props.type ?? '', message: cmd.data });
      if (cmd.command === 'task.setsecret') run.secrets.push(cmd.data);
      if (cmd.command === 'task.addattachment' || cmd.command === 'task.uploadsummary') {
        const file = cmd.data;
        run.attachments.push({
          type: cmd.props.type ?? 'Distributedtask.Core.Summary',
          name: cmd.props.name ?? path.basename(file),
          content: existsSync(file) ? readFileSync(file, 'utf8') : '',
        });
      }
    }
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
