/** ARM-shaped errors: `{ "error": { "code", "message", ... } }` with the real codes and wordings. */
import { HttpError } from '../net/http-kit.ts';
import type { ArmErrorBody, Operation } from '../aks/model.ts';

export function armError(
  status: number,
  code: string,
  message: string,
  extra: { details?: ArmErrorBody[]; target?: string; headers?: Record<string, string> } = {},
): HttpError {
  const error: ArmErrorBody = { code, message };
  if (extra.target !== undefined) error.target = extra.target;
  if (extra.details) error.details = extra.details;
  return new HttpError({ status, headers: extra.headers ?? {}, body: { error } });
}

export const PENDING_OPERATION_LINK = 'https://aka.ms/aks-pending-operation';

/** The newer 409 wording names the operation with a noun ("update"), not the state ("Updating"). */
const NOUN: Record<string, string> = {
  Updating: 'update',
  Upgrading: 'upgrade',
  Scaling: 'scale',
  Creating: 'create',
  Starting: 'start',
  Stopping: 'stop',
  UpgradingNodeImageVersion: 'node image upgrade',
  Canceling: 'cancel',
};

/** How the 409 for a write that collides with a running operation is worded. */
export type ConflictWording = 'classic' | 'operation-id';

/** AKS's OperationNotAllowed for a write that arrives while another operation runs. */
export function operationInProgress(
  wording: ConflictWording,
  blocking: Operation,
  writeTarget: { pool?: string },
  nowIso: (ms: number) => string,
): HttpError {
  const verb = blocking.subOperationType;
  const blockingPool = blocking.pool;
  let message: string;
  if (wording === 'operation-id') {
    // Go's time.Time formatting, as AKS prints it: 2026-11-24 03:04:05.123 +0000 UTC
    const started = nowIso(blocking.startMs).replace('T', ' ').replace('Z', ' +0000 UTC');
    const on = blockingPool ? `agent pool ${blockingPool}` : 'the managed cluster';
    const kind = blockingPool ? 'agent pool' : 'managed cluster';
    message = `Operation is not allowed because there's an in progress ${NOUN[verb] ?? verb.toLowerCase()} ${kind} operation (operation ID: ${blocking.id}) on ${on} started on UTC ${started}. Please wait for it to finish before starting a new operation. See ${PENDING_OPERATION_LINK} for more details.`;
  } else if (blockingPool && writeTarget.pool === undefined) {
    message = `Managed Cluster operation is not allowed: Another operation (${verb}) is in progress on agent pool (${blockingPool}), please wait for it to finish before starting a new operation. See ${PENDING_OPERATION_LINK} for more details`;
  } else if (blockingPool) {
    message = `Operation is not allowed: Another agentpool operation (${verb}) is in progress, please wait for it to finish before starting a new operation. See ${PENDING_OPERATION_LINK} for more details`;
  } else {
    message = `Operation is not allowed: Another operation (${verb}) is in progress, please wait for it to finish before starting a new operation. See ${PENDING_OPERATION_LINK} for more details`;
  }
  return armError(409, 'OperationNotAllowed', message);
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): HttpError {
  return armError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function invalidRequestContent(detail: string): HttpError {
  return armError(
    400,
    'InvalidRequestContent',
    `The request content was invalid and could not be deserialized: '${detail}'.`,
  );
}

export function invalidParameter(parameter: string, detail: string): HttpError {
  return armError(
    400,
    'InvalidParameter',
    `The value of parameter ${parameter} is invalid. Error details: ${detail}. Please see https://aka.ms/aks-naming-rules for more details.`,
    { target: parameter },
  );
}
