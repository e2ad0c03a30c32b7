/**
 * One run of the guard, as every front door does it: sign in, run the guard against the cluster,
 * diagnose a failure, work out the outputs, and hand them to the front door to publish. The front
 * doors only read inputs and publish what comes back (outputs, summary, comment, result) in their
 * own way.
 *
 * Everything that leaves the process is redacted here, once: the outcome (messages, ARM errors,
 * command logs) goes through the run's Secrets before anything is rendered from it.
 */
import { format } from 'node:util';
import { AzureLogger } from '@azure/logger';
import { AksClient } from './aks-client.ts';
import { buildCredential, type CredentialDeps } from './credentials.ts';
import { diagnoseOutcome } from './diagnose/outcome.ts';
import type { Diagnosis } from './diagnose/types.ts';
import { ABORT_GRACE_MS, runGuard } from './guard.ts';
import type { Outcome } from './outcome.ts';
import { outputsOf } from './outputs.ts';
import type { Secrets } from './redact.ts';
import type { Settings } from './settings.ts';
import { respellInputs, SPELLINGS, type Spelling } from './inputs.ts';

export interface RunResult {
  outcome: Outcome;
  diagnosis: Diagnosis | undefined;
  outputs: Record<string, string>;
}

/** How a front door publishes a result. */
export interface Publisher {
  /**
   * Outputs and the job summary: local and quick. Called again (replacing the first) when work
   * left after a cancellation changes the result.
   */
  record(result: RunResult): Promise<void>;
  /** The pull-request comment: over the network, once, with the final result. */
  share(result: RunResult): Promise<void>;
}

export interface RunDeps extends CredentialDeps {
  /** Sent as the User-Agent, so ARM's logs tell the front doors apart. */
  userAgent: string;
  signal?: AbortSignal;
  /** Every secret the run knows (the reporter's masks land here too). */
  secrets: Secrets;
  /** How the front door names inputs: the outcome's texts and the remediation are told so. */
  spelling?: Spelling;
  publish: Publisher;
}

export async function executeRun(settings: Settings, deps: RunDeps): Promise<RunResult> {
  // The Azure SDKs log to stderr when AZURE_LOG_LEVEL is set, whole responses included (the OIDC
  // request's Authorization header among them): through the run's reporter, redacted, as debug.
  AzureLogger.log = (...args: unknown[]) => deps.reporter.debug(format(...args));
  // The runner's grace period starts when the cancellation arrives, not when the guard notices.
  let cancelledAt: number | undefined = deps.signal?.aborted ? Date.now() : undefined;
  deps.signal?.addEventListener('abort', () => (cancelledAt ??= Date.now()), { once: true });
  const client = new AksClient({
    credential: buildCredential(settings, deps),
    cloud: settings.cloud,
    subscriptionId: settings.subscriptionId,
    resourceGroup: settings.resourceGroup,
    clusterName: settings.clusterName,
    userAgent: deps.userAgent,
  });
  const spelling = deps.spelling ?? SPELLINGS.action;
  const outcome = await runGuard(settings, {
    client,
    reporter: deps.reporter,
    spelling,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  let result = resultOf(settings, outcome, deps.secrets, spelling);
  await deps.publish.record(result);
  if (outcome.followUp) {
    const next = await outcome.followUp((cancelledAt ?? Date.now()) + ABORT_GRACE_MS);
    result = resultOf(settings, next, deps.secrets, spelling);
    await deps.publish.record(result);
  }
  await deps.publish.share(result);
  return result;
}

function resultOf(
  settings: Settings,
  raw: Outcome,
  secrets: Secrets,
  spelling: Spelling,
): RunResult {
  const { followUp: _work, ...rest } = raw;
  const outcome = respellOutcome(secrets.redactDeep(rest), spelling);
  const found = diagnoseOutcome(settings, outcome);
  const diagnosis = found && respellDiagnosis(found, spelling);
  return {
    outcome,
    diagnosis,
    outputs: secrets.redactDeep(outputsOf(settings, outcome, diagnosis)),
  };
}

/**
 * The run's own texts with inputs named as the front door names them: the message, the steps
 * planned (dry run) and performed, and the timeline. The error stays as ARM (or the guard) returned it: it is data.
 */
function respellOutcome(o: Outcome, spelling: Spelling): Outcome {
  if (spelling === SPELLINGS.action) return o;
  const say = (text: string): string => respellInputs(text, spelling);
  return {
    ...o,
    message: say(o.message),
    plan: o.plan.map(say),
    performed: o.performed.map(say),
    timeline: o.timeline.map((e) => ({ ...e, event: say(e.event) })),
  };
}

/** The remediation steps name inputs as the front door does (their commands stay as they are). */
function respellDiagnosis(d: Diagnosis, spelling: Spelling): Diagnosis {
  if (spelling === SPELLINGS.action) return d;
  return { ...d, remediation: d.remediation.map((step) => respellInputs(step, spelling)) };
}
