/**
 * `aks-guard`, the command line: `diagnose` explains an AKS error from a file, stdin or flags;
 * `check` and `run` run the guard from a terminal with the Action's settings (flags named like the
 * inputs), signed in with the local Azure CLI login or environment credentials by default.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { diagnose, type DiagnosisContext } from '../core/diagnose/index.ts';
import { cancelOnSignals } from '../core/cancellation.ts';
import { diagnosisMarkdown, diagnosisText } from '../core/report/diagnosis.ts';
import { cliFlag, INPUTS, SPELLINGS } from '../core/inputs.ts';
import type { Reporter } from '../core/reporter.ts';
import { formatProblems, InputError } from '../core/settings.ts';
import { INVALID_INPUT, runStep, type Platform, type StepEnd } from '../core/step.ts';
import { terminalSafe } from '../platform/log-safety.ts';

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

const USAGE = `aks-guard: safe AKS upgrades and scale operations, and explanations of AKS errors.

Usage:
  aks-guard diagnose [FILE|-] [--json] [--resource-group RG --cluster-name NAME ...]
  aks-guard diagnose --code CODE --message TEXT [--json]
  aks-guard diagnose --jsonl < errors.jsonl      one {"code","message"} per line in, one diagnosis per line out
  aks-guard check --resource-group RG --cluster-name NAME [--on-pending wait|abort|fail ...]
  aks-guard run --operation upgrade --kubernetes-version 1.35 --resource-group RG --cluster-name NAME ...

check and run take the Action's inputs as flags (--on-pending, --wait-timeout, --node-pool, ...);
auth-type defaults to "default" (environment credentials, then the Azure CLI login).
Options: --output json|table|none (run/check, default json), --summary-file FILE (Markdown summary),
--quiet (no progress on stderr). Exit codes: 0 success, 1 the run failed, 2 bad usage or input.`;

class UsageError extends Error {}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON input stays structured (nested details keep their codes); anything else is text. */
function parseInput(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      // Not JSON after all (a paste that starts with a brace): the text is the input.
    }
  }
  return text;
}

function contextFrom(values: Record<string, unknown>, env: Io['env']): DiagnosisContext {
  const get = (k: string): string | undefined =>
    typeof values[k] === 'string' && values[k] !== '' ? values[k] : undefined;
  const ctx: DiagnosisContext = {};
  const sub = get('subscription-id') ?? env.AZURE_SUBSCRIPTION_ID;
  if (sub) ctx.subscriptionId = sub;
  const rg = get('resource-group');
  if (rg) ctx.resourceGroup = rg;
  const cluster = get('cluster-name');
  if (cluster) ctx.clusterName = cluster;
  const pool = get('node-pool');
  if (pool) ctx.nodePool = pool;
  const version = get('kubernetes-version');
  if (version) ctx.kubernetesVersion = version;
  return ctx;
}

async function diagnoseCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      jsonl: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      code: { type: 'string' },
      message: { type: 'string' },
      'subscription-id': { type: 'string' },
      'resource-group': { type: 'string' },
      'cluster-name': { type: 'string' },
      'node-pool': { type: 'string' },
      'kubernetes-version': { type: 'string' },
    },
  });
  const context = contextFrom(values, io.env);
  if (values.jsonl) {
    const text = await readAll(io.stdin);
    let lineNo = 0;
    for (const line of text.split('\n')) {
      lineNo++;
      if (line.trim() === '') continue;
      let entry: { code?: unknown; message?: unknown };
      try {
        entry = JSON.parse(line) as { code?: unknown; message?: unknown };
      } catch {
        throw new UsageError(`--jsonl: line ${lineNo} is not JSON: ${line.slice(0, 80)}`);
      }
      const message = typeof entry.message === 'string' ? entry.message : JSON.stringify(entry);
      const code = typeof entry.code === 'string' && entry.code ? entry.code : undefined;
      io.stdout.write(
        `${JSON.stringify(diagnose(message, { ...(code ? { code } : {}), context }))}\n`,
      );
    }
    return 0;
  }
  let input: unknown;
  let raw: string;
  if (values.message !== undefined || values.code !== undefined) {
    if (positionals.length > 0)
      throw new UsageError('Give either a FILE (or -) or --code/--message, not both.');
    raw = values.message ?? '';
    input = raw;
  } else {
    const file = positionals[0] ?? '-';
    if (positionals.length > 1) throw new UsageError('diagnose takes one FILE (or - for stdin).');
    raw = file === '-' ? await readAll(io.stdin) : readFile(file);
    input = parseInput(raw);
  }
  if (raw.trim() === '') throw new UsageError('Nothing to diagnose: the input is empty.');
  const d = diagnose(input, { ...(values.code ? { code: values.code } : {}), context });
  if (values.json) io.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
  else if (values.markdown) io.stdout.write(`${diagnosisMarkdown(d, { level: 2, raw })}\n`);
  else io.stdout.write(`${diagnosisText(d)}\n`);
  return 0;
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/**
 * az-style progress on stderr. Masks are applied by the redacting reporter around this one; here,
 * text from Azure is made safe for a terminal (no escape sequences or bidi overrides).
 */
function terminalReporter(io: Io, quiet: boolean): Reporter {
  const out = (line: string): void => void io.stderr.write(`${terminalSafe(line)}\n`);
  return {
    info: (l) => (quiet ? undefined : out(l)),
    warning: (l) => out(`WARNING: ${l}`),
    error: (l) => out(`ERROR: ${l}`),
    debug: (l) => (io.env.AKS_GUARD_DEBUG ? out(`DEBUG: ${l}`) : undefined),
    startGroup: (n) => (quiet ? undefined : out(`== ${n}`)),
    endGroup: () => undefined,
    // A terminal has no masking of its own: the redacting reporter does it.
    mask: () => undefined,
  };
}

/** JSON for a terminal: JSON.stringify escapes control characters, not bidi overrides. */
function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The parseArgs options of check and run: one `--flag VALUE` per input (inputs.ts). */
export function inputFlags(): Record<string, { type: 'string' }> {
  return Object.fromEntries(INPUTS.map((i) => [cliFlag(i.name).slice(2), { type: 'string' }]));
}

async function guardCommand(command: 'check' | 'run', args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...inputFlags(),
      output: { type: 'string', short: 'o', default: 'json' },
      'summary-file': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!['json', 'table', 'none'].includes(values.output))
    throw new UsageError(`--output "${values.output}" is not allowed; use json, table or none.`);
  const flags = values as Record<string, string | boolean | undefined>;
  if (command === 'check' && flags.operation !== undefined && flags.operation !== 'check')
    throw new UsageError('check runs operation "check"; use `aks-guard run --operation ...`.');
  if (command === 'run' && flags.operation === undefined)
    throw new UsageError('run needs --operation (upgrade, upgrade-node-image, scale, ...).');
  const log = terminalReporter(io, values.quiet);
  const summaryFile = values['summary-file'];
  const cancel = cancelOnSignals(() => log.warning('Interrupted: stopping.'));
  const platform: Platform = {
    frontDoor: 'cli',
    userAgent: 'aks-guard-cli',
    log,
    signal: cancel.signal,
    workspace: process.cwd(),
    mermaid: true,
    readInputs: () => ({
      get: (name) => {
        const v = flags[name];
        return typeof v === 'string'
          ? v
          : name === 'operation' && command === 'check'
            ? 'check'
            : '';
      },
      env: io.env,
      defaultAuthType: 'default',
    }),
    credentials: () => ({}),
    // Printed once the step has ended, from its result.
    setOutput: () => undefined,
    writeSummary: async (markdown) => {
      if (summaryFile) writeFileSync(summaryFile, markdown);
    },
    setSucceeded: () => undefined,
    setFailed: (message, run) => {
      log.error(message);
      if (run?.diagnosis) io.stderr.write(`\n${terminalSafe(diagnosisText(run.diagnosis))}\n\n`);
    },
  };
  let end: StepEnd;
  try {
    end = await runStep(platform);
  } finally {
    cancel.dispose();
  }
  if (end.status === 'refused') return end.errorCode === INVALID_INPUT ? 2 : 1;
  const { outputs, diagnosis } = end.result;
  if (values.output === 'json') {
    const shown = Object.fromEntries(
      Object.entries(outputs).filter(([k, v]) => v !== '' && k !== 'diagnosis'),
    );
    io.stdout.write(`${terminalJson({ ...shown, ...(diagnosis ? { diagnosis } : {}) })}\n`);
  } else if (values.output === 'table') {
    const rows = Object.entries(outputs).filter(([k, v]) => v !== '' && k !== 'diagnosis');
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows)
      io.stdout.write(`${k.padEnd(width)}  ${terminalSafe(v.split('\n')[0]!)}\n`);
  }
  return end.status === 'failed' ? 1 : 0;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'diagnose':
        return await diagnoseCommand(rest, io);
      case 'check':
      case 'run':
        return await guardCommand(command, rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}"; use diagnose, check or run.`);
    }
  } catch (err) {
    if (err instanceof InputError || err instanceof UsageError) {
      // Inputs are flags here: named --on-pending, not on-pending.
      const text =
        err instanceof InputError ? formatProblems(err.problems, SPELLINGS.cli) : err.message;
      io.stderr.write(`ERROR: ${text}\n`);
      return 2;
    }
    // parseArgs reports unknown flags and missing values with a code; they are usage errors too.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`ERROR: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr.write(`ERROR: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
