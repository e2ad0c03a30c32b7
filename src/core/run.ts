/**
 * One run of the guard, as every front door does it: sign in, run the guard against the cluster,
 * diagnose a failure, and work out the outputs. The front doors only read inputs and publish
 * what comes back (outputs, summary, result) in their own way.
 */
import { AksClient } from './aks-client.ts';
import { buildCredential, type CredentialDeps } from './credentials.ts';
import { diagnoseOutcome } from './diagnose/outcome.ts';
import type { Diagnosis } from './diagnose/types.ts';
import { runGuard } from './guard.ts';
import type { Outcome } from './outcome.ts';
import { outputsOf } from './outputs.ts';
import type { Settings } from './settings.ts';

export interface RunDeps extends CredentialDeps {
  /** Sent as the User-Agent, so ARM's logs tell the front doors apart. */
  userAgent: string;
  signal?: AbortSignal;
}

export interface RunResult {
  outcome: Outcome;
  diagnosis: Diagnosis | undefined;
  outputs: Record<string, string>;
}

export async function executeRun(settings: Settings, deps: RunDeps): Promise<RunResult> {
  const client = new AksClient({
    credential: buildCredential(settings, deps),
    cloud: settings.cloud,
    subscriptionId: settings.subscriptionId,
    resourceGroup: settings.resourceGroup,
    clusterName: settings.clusterName,
    userAgent: deps.userAgent,
  });
  const outcome = await runGuard(settings, {
    client,
    reporter: deps.reporter,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const diagnosis = diagnoseOutcome(settings, outcome);
  return { outcome, diagnosis, outputs: outputsOf(settings, outcome, diagnosis) };
}
