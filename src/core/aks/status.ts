/**
 * The service's state strings, folded once. ARM and AKS spell states in PascalCase but clients
 * must not rely on the case (and "Cancelled" turns up beside "Canceled"); AKS also adds
 * provisioning states over time (Upgrading, Scaling, UpgradingNodeImageVersion, Migrating, …), so a
 * provisioning state folds to a closed set with "busy" for every verb, known or not. This is the
 * only module in the core that compares a service string case-insensitively.
 */

/** A resource's provisioningState: finished one way or another, or busy with an operation. */
export type ResourcePhase = 'succeeded' | 'failed' | 'canceled' | 'busy';

/** An operation's status (operations/{id}, an Azure-AsyncOperation poll), folded. */
export type OperationPhase = 'in-progress' | 'canceling' | 'succeeded' | 'failed' | 'canceled';

/** The phases in which nothing is running any more. */
export type TerminalPhase = 'succeeded' | 'failed' | 'canceled';

const TERMINAL: Record<string, TerminalPhase> = {
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
};

export function resourcePhase(provisioningState: string): ResourcePhase {
  return TERMINAL[provisioningState.toLowerCase()] ?? 'busy';
}

export function operationPhase(status: string): OperationPhase {
  const s = status.toLowerCase();
  const terminal = TERMINAL[s];
  if (terminal) return terminal;
  return s === 'canceling' || s === 'cancelling' ? 'canceling' : 'in-progress';
}

/** Anything but Succeeded, Failed or Canceled: an operation is running on the resource. */
export function isBusy(provisioningState: string): boolean {
  return resourcePhase(provisioningState) === 'busy';
}

export function isFailed(provisioningState: string): boolean {
  return resourcePhase(provisioningState) === 'failed';
}

/** Whether an operation status (or a provisioning state) means it has ended. */
export function isTerminal(status: string): boolean {
  return TERMINAL[status.toLowerCase()] !== undefined;
}

/** The terminal phase of a status, or undefined while it runs. */
export function terminalPhase(status: string): TerminalPhase | undefined {
  return TERMINAL[status.toLowerCase()];
}

/** A resource being canceled: an abort was accepted and has not taken effect yet. */
export function isCanceling(status: string): boolean {
  return operationPhase(status) === 'canceling';
}

/** The provisioning state a reconcile (PUT of the unchanged resource) shows while it runs. */
export function isUpdating(provisioningState: string): boolean {
  return provisioningState.toLowerCase() === 'updating';
}

/** Names compare case-insensitively in ARM (pools, resource groups). */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
