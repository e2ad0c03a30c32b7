/**
 * Text from Azure or the cluster (error messages, run-command output, operation names) is data: a
 * line of it must never become a command of the runner that reads the log. Each front door has
 * one neutraliser, applied to every line it prints for the core.
 *
 * Hand-written: the runners document the syntax they interpret, and no library neutralises it.
 * - GitHub Actions (actions/runner ActionCommand): a line whose text, after leading whitespace, starts
 *   with `::name` of a registered command, or that holds `##[name` anywhere (the v1 syntax). Text
 *   that could be read so is wrapped in `::stop-commands::TOKEN` … `::TOKEN::` with a fresh random
 *   token (GitHub's documented way to print untrusted text), so it is shown exactly as it is.
 * - Azure Pipelines (the agent): `##vso[` anywhere in a line is a logging command, `##[` a
 *   formatting command; both are broken with a space, visibly and without losing the text.
 * - Terminals (the CLI): escape sequences (ESC, CSI, OSC), other control characters and Unicode
 *   bidirectional overrides are removed or shown as `\u{…}` so a message cannot rewrite the screen
 *   or reorder what a person reads.
 */
import { randomUUID } from 'node:crypto';

const GITHUB_COMMAND_SHAPE = /(^|[\r\n])[ \t\f\v]*::|##\[/;

/** Wraps text in stop-commands when any line of it could be read as a workflow command. */
export function githubSafe(text: string, token: () => string = freshToken): string {
  if (!GITHUB_COMMAND_SHAPE.test(text)) return text;
  const t = token();
  return `::stop-commands::${t}\n${text}\n::${t}::`;
}

function freshToken(): string {
  return `aks-guard-${randomUUID().replace(/-/g, '')}`;
}

/** Breaks every Azure Pipelines logging (`##vso[`) and formatting (`##[`) command in text. */
export function azurePipelinesSafe(text: string): string {
  return text.replace(/##(vso)?\[/gi, (_m, vso: string | undefined) => `##${vso ?? ''} [`);
}

// C0 controls except tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates.
const ANSI_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
const CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text for a terminal: no escape sequences, no control characters, no bidi overrides. */
export function terminalSafe(text: string): string {
  return text
    .replace(ANSI_SEQUENCE, '')
    .replace(/\r\n/g, '\n')
    .replace(CONTROL, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
