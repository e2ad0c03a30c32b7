/**
 * Errors with the real codes and wordings, in the two shapes Azure sends them: ARM's own (auth,
 * throttling, routing, api-version, its 404s) always wrapped, `{ "error": { "code", "message", ... } }`;
 * AKS's resource provider its own errors flat, `{ "code", "details", "message", "subcode" }`, as
 * every public paste of them shows (README, "Where the simulator had to choose"), or wrapped when the
 * setting `aksErrorShape` says so.
 */
import { HttpError, type SimResponse } from '../net/http-kit.ts';
import type { ArmErrorBody, Operation } from '../aks/model.ts';

/** ARM's own error: always `{ "error": {...} }`. */
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

/** How AKS's resource provider sends its own errors: flat (as AKS does) or wrapped like ARM's. */
export const AKS_ERROR_SHAPES = ['flat', 'wrapped'] as const;
export type AksErrorShape = (typeof AKS_ERROR_SHAPES)[number];

/**
 * An error AKS's resource provider answers itself. Its shape is decided when it is sent, from the
 * simulator's settings (`AksRpError.shaped`); `response` is the flat one AKS sends.
 */
export class AksRpError extends HttpError {
  readonly error: ArmErrorBody & { subcode: string };
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    error: ArmErrorBody & { subcode: string },
    headers: Record<string, string>,
  ) {
    // The field order of AKS's answers: code, details (null when none), message, subcode, target.
    const { code, message, target, details, subcode } = error;
    super({
      status,
      headers,
      body: {
        code,
        details: details ?? null,
        message,
        subcode,
        ...(target !== undefined ? { target } : {}),
      },
    });
    this.error = error;
    this.status = status;
    this.headers = headers;
  }

  /** The answer in this shape; wrapped is exactly what armError() sends (no subcode). */
  shaped(shape: AksErrorShape): SimResponse {
    if (shape === 'flat') return this.response;
    const { subcode: _subcode, ...error } = this.error;
    return { status: this.status, headers: this.headers, body: { error } };
  }
}

/** AKS's own error (flat by default; see AksRpError). */
export function aksError(
  status: number,
  code: string,
  message: string,
  extra: {
    details?: ArmErrorBody[];
    target?: string;
    subcode?: string;
    headers?: Record<string, string>;
  } = {},
): AksRpError {
  const error: ArmErrorBody & { subcode: string } = { code, message, subcode: extra.subcode ?? '' };
  if (extra.target !== undefined) error.target = extra.target;
  if (extra.details) error.details = extra.details;
  return new AksRpError(status, error, extra.headers ?? {});
}

/** The answer an error thrown by a handler gives, in the shape the settings ask of AKS's own. */
export function errorResponse(err: HttpError, shape: AksErrorShape): SimResponse {
  return err instanceof AksRpError ? err.shaped(shape) : err.response;
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
export const CONFLICT_WORDINGS = [
  'classic',
  'operation-id',
  'etag-mismatch',
  'pool-and-verb',
] as const;
export type ConflictWording = (typeof CONFLICT_WORDINGS)[number];

/**
 * 409 EtagMismatch, AKS's answer to a write that races an operation (Azure/terraform-azurerm-aks#604,
 * Azure/terraform-provider-azapi#889). Every public copy cuts the subcode off after
 * "PutManagedClusterAndComponents_Fa"; the rest, and the agent pool one, are the simulator's.
 */
const ETAG_MISMATCH = {
  message: 'Operation is not allowed: Another operation is in progress',
  details: [
    {
      code: 'Unspecified',
      message: 'rpc error: code = FailedPrecondition desc = Etag mismatched',
    },
  ],
  subcode: {
    cluster: 'PutManagedClusterAndComponents_FailedPrecondition',
    pool: 'PutAgentPool_FailedPrecondition',
  },
};

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
  if (wording === 'etag-mismatch') {
    return aksError(409, 'EtagMismatch', ETAG_MISMATCH.message, {
      details: ETAG_MISMATCH.details,
      subcode: ETAG_MISMATCH.subcode[writeTarget.pool === undefined ? 'cluster' : 'pool'],
    });
  }
  if (wording === 'pool-and-verb' && blockingPool) {
    // The pool and the verb in one parenthesis: "(nodepool1 - Updating)" for a cluster write
    // (Azure/azure-workload-identity#417), "agentpool operation (nodepool1 - Creating)" for a pool
    // write (cilium/cilium#25944). A cluster operation has no pool to name: the classic wording.
    const kind = writeTarget.pool === undefined ? 'operation' : 'agentpool operation';
    message = `Operation is not allowed: Another ${kind} (${blockingPool} - ${verb}) is in progress, please wait for it to finish before starting a new operation. See ${PENDING_OPERATION_LINK} for more details`;
  } else if (wording === 'operation-id') {
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
  return aksError(409, 'OperationNotAllowed', message);
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
  return aksError(
    400,
    'InvalidParameter',
    `The value of parameter ${parameter} is invalid. Error details: ${detail}. Please see https://aka.ms/aks-naming-rules for more details.`,
    { target: parameter },
  );
}
