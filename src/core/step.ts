/**
 * The step every front door runs, the same for the GitHub Action, the Azure DevOps task and the
 * CLI: read and check the inputs, run the guard (run.ts), publish what came of it, set the result.
 * A front door is a Platform: how it reads its inputs and prints its log, where outputs, the
 * summary and the pull-request comment go, how it says the step failed (in the shape of
 * microsoft/PR-Metrics' runner invokers). The step owns the order and the rules:
 *
 * - every secret is masked the moment it is read, and everything that leaves is redacted;
 * - every text that leaves names inputs as the front door does (`onPending`, `--on-pending`);
 * - outputs and the summary are recorded, then replaced if work after a cancellation changes the
 *   result, and only then is the comment shared (run.ts);
 * - how a step that could not run is reported: `result` failed and an `error-code` output.
 */
import type { CredentialDeps } from './credentials.ts';
import type { Diagnosis } from './diagnose/types.ts';
import { respellInputs, SECRET_INPUTS, SPELLINGS, type FrontDoor } from './inputs.ts';
import type { Outcome } from './outcome.ts';
import { Secrets } from './redact.ts';
import { renderSummary } from './report/summary.ts';
import { redactingReporter, type Reporter } from './reporter.ts';
import { executeRun, type RunResult } from './run.ts';
import {
  formatProblems,
  InputError,
  parseSettings,
  type RawInputs,
  type Settings,
} from './settings.ts';

/** Why the step failed, when the guard ran and the run failed. */
export interface RunFailure {
  /** The annotation's title: the diagnosis' title, or what ended the run. */
  title: string;
  diagnosis?: Diagnosis;
}

/** A front door, as the step sees it. */
export interface Platform {
  /** Which one: it names the inputs (inputs.ts) in every text that leaves. */
  readonly frontDoor: FrontDoor;
  /** Sent to ARM as the User-Agent, so its logs tell the front doors apart. */
  readonly userAgent: string;
  /**
   * The front door's log, each line made safe for whoever reads it (log-safety.ts). The step
   * wraps it in the run's redaction; `mask` registers a secret with the runner's own masking.
   */
  readonly log: Reporter;
  /** Aborted when the job is cancelled (the runner's SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** The directory run-command files must stay inside; relative paths start there. */
  readonly workspace: string;
  /** The Mermaid timeline in the summary: only where it renders (GitHub). */
  readonly mermaid: boolean;
  /**
   * The raw inputs, by the core's (the Action's) names; `mask` hides a secret the front door
   * reads on its own (a service connection's key, the job's token) before anything can print it.
   */
  readInputs(mask: (secret: string) => void): Omit<RawInputs, 'workspace'>;
  /** What signing in needs from the front door beyond the settings (its OIDC token source). */
  credentials(settings: Settings, mask: (secret: string) => void): Omit<CredentialDeps, 'reporter'>;
  /** One output, by the core's name (the task renames it to its output variable). */
  setOutput(name: string, value: string): void;
  /** The job summary; a second call (after a cancellation's abort) replaces the first. */
  writeSummary(markdown: string, settings: Settings): Promise<void>;
  /**
   * The sticky pull-request comment, when the front door has one and it was asked for; `log` is
   * the step's (redacted) log, for what came of it.
   */
  shareComment?(markdown: string, settings: Settings, log: Reporter): Promise<void>;
  /** The step succeeded. */
  setSucceeded(message: string): void;
  /**
   * The step failed: the run failed (`run` says why), or it could not run (bad inputs, a bad
   * service connection, anything unexpected) and `run` is undefined.
   */
  setFailed(message: string, run?: RunFailure): void;
  /** The `error-code` of a front door's own error (e.g. a bad service connection), if it is one. */
  errorCodeOf?(err: unknown): string | undefined;
}

/** How the step ended. */
export type StepEnd =
  | { status: 'succeeded' | 'failed'; result: RunResult }
  /** It could not run: `errorCode` InvalidInput, UnexpectedError or the front door's own. */
  | { status: 'refused'; errorCode: string; message: string };

export const INVALID_INPUT = 'InvalidInput';
export const UNEXPECTED_ERROR = 'UnexpectedError';

/** The annotation's title when there is no diagnosis (the run failed for a reason of its own). */
function titleOf(outcome: Outcome): string {
  return outcome.error?.code === 'Cancelled' ? 'the job was cancelled' : 'the run failed';
}

export async function runStep(platform: Platform): Promise<StepEnd> {
  const spelling = SPELLINGS[platform.frontDoor];
  const secrets = new Secrets();
  const log = redactingReporter(platform.log, secrets);
  const mask = (secret: string): void => log.mask(secret);
  try {
    const raw = platform.readInputs(mask);
    for (const name of SECRET_INPUTS) {
      const secret = raw.get(name);
      if (secret) mask(secret);
    }
    const { settings, warnings } = parseSettings({ ...raw, workspace: platform.workspace });
    for (const w of warnings) log.warning(respellInputs(w, spelling));
    const credentials = platform.credentials(settings, mask);
    const summaryOf = ({ outcome, diagnosis }: RunResult): string =>
      secrets.redact(
        renderSummary(settings, outcome, diagnosis, { mermaid: platform.mermaid, spelling }),
      );
    const result = await executeRun(settings, {
      ...credentials,
      reporter: log,
      userAgent: platform.userAgent,
      ...(platform.signal ? { signal: platform.signal } : {}),
      secrets,
      spelling,
      publish: {
        record: async (r) => {
          for (const [name, value] of Object.entries(r.outputs))
            platform.setOutput(name, secrets.redact(value));
          await platform.writeSummary(summaryOf(r), settings);
        },
        share: async (r) => {
          if (settings.comment.onPr && platform.shareComment)
            await platform.shareComment(summaryOf(r), settings, log);
        },
      },
    });
    const { outcome, diagnosis } = result;
    if (!outcome.failed) {
      platform.setSucceeded(outcome.message);
      return { status: 'succeeded', result };
    }
    platform.setFailed(outcome.message, {
      title: diagnosis ? secrets.redact(diagnosis.title) : titleOf(outcome),
      ...(diagnosis ? { diagnosis } : {}),
    });
    return { status: 'failed', result };
  } catch (err) {
    const errorCode =
      err instanceof InputError ? INVALID_INPUT : (platform.errorCodeOf?.(err) ?? UNEXPECTED_ERROR);
    const message = secrets.redact(
      err instanceof InputError
        ? formatProblems(err.problems, spelling)
        : respellInputs(err instanceof Error ? err.message : String(err), spelling),
    );
    platform.setOutput('result', 'failed');
    platform.setOutput('error-code', errorCode);
    platform.setFailed(message);
    return { status: 'refused', errorCode, message };
  }
}
