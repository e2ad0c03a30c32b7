/**
 * Whatever an AKS failure arrives as (an ARM error body with nested details, an SDK RestError, the
 * error of operations/latest, a run-command result, or text pasted from az, Terraform or an ARM
 * deployment with JSON escaped inside strings), make it one readable text and the list of error
 * codes found in it, outermost first.
 */

export interface Evidence {
  /** The text with JSON-in-string escapes undone, so phrases can be matched. */
  text: string;
  /** Every error code found, outermost first, without duplicates. */
  codes: string[];
}

/** Codes that only say "something inside failed": the inner code or the message decides. */
export const WRAPPER_CODES = new Set(
  [
    'DeploymentFailed',
    'InvalidTemplateDeployment',
    'ReconcileVMSSAgentPoolFailed',
    'CreateVMSSAgentPoolFailed',
    'BadRequest',
    'Conflict',
    'ResourceOperationFailure',
    'ResourceDeploymentFailure',
    'Unspecified',
    'OperationFailed',
    'Failed',
    'RequestFailed',
    'ValidationError',
    'InvalidRequestContent',
    'MultipleErrorsOccurred',
  ].map((c) => c.toLowerCase()),
);

/**
 * AKS's subcodes that name the handler that refused, not the cause: "PutManagedClusterAndComponents_Fa…"
 * beside EtagMismatch (Azure/terraform-azurerm-aks#604), "PutAgentPool_…". Causes such as
 * UpgradeBlockedOnDeprecatedAPIUsage or OperationNotAllowed_TooManyRequests are not of this form.
 */
const HANDLER_SUBCODE = /^(?:Put|Get|Post|Patch|Delete)[A-Z][A-Za-z]*_/;

export function isWrapperCode(code: string): boolean {
  return WRAPPER_CODES.has(code.toLowerCase()) || HANDLER_SUBCODE.test(code);
}

/** Undoes layers of JSON string escaping (`\"`, `\\n`, `\\\"` …) until nothing changes. */
export function unescapeLayers(text: string): string {
  let out = text;
  for (let i = 0; i < 6; i++) {
    const next = out
      .replace(/\\r\\n|\\n|\\r/g, '\n')
      .replace(/\\t/g, ' ')
      .replace(/\\+"/g, '"')
      .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\\\/g, '\\');
    if (next === out) break;
    out = next;
  }
  return out;
}

// Where codes hide: JSON ("code": "X", "subcode": "X"), Go/autorest (Code="X"), az and the SDKs
// ((X) Message, Code: X, ERROR CODE: X), AKS reconcilers (SubCode: X), Entra (AADSTS123).
const CODE_PATTERNS: RegExp[] = [
  /"(?:code|subcode|errorCode)"\s*:\s*"([A-Za-z][\w.]*)"/gi,
  /\b(?:Code|SubCode|ErrorCode)\s*=\s*"?([A-Za-z][\w.]*)"?/g,
  /\b(?:Code|SubCode|ERROR CODE|Error code)\s*:\s*"?([A-Za-z][\w.]*)"?/g,
  // (Code) as az prints it; an acronym in parentheses, like "(PDB)", is not a code.
  /(?:^|[\s:])\(((?=\w*[a-z])[A-Z][A-Za-z0-9_]{4,})\)\s/gm,
  /\b(AADSTS\d+)\b/g,
];

/** Codes the patterns pick up that are words of the wrapper, not error codes. */
const NOT_CODES = new Set(['null', 'none', 'true', 'false', 'unknown', 'message', 'details']);

export function findCodes(text: string): string[] {
  const found: { code: string; at: number }[] = [];
  for (const pattern of CODE_PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      const code = m[1]!.replace(/\.$/, '');
      if (!NOT_CODES.has(code.toLowerCase())) found.push({ code, at: m.index });
    }
  }
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.at - b.at)
    .map((f) => f.code)
    .filter((c) => {
      const key = c.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** A run-command result as the guard and the SDK return it. */
export interface CommandResultInput {
  provisioningState?: string;
  exitCode?: number;
  reason?: string;
  logs?: string;
}

/**
 * A string, an ARM error (`{ code, message, details }`, or `{ error: {...} }`), an SDK RestError,
 * a run-command result (CommandResultInput), or anything else that can be turned into text.
 */
export type DiagnoseInput = unknown;

/** Flattens any input to text: objects become JSON (so nested details keep their codes). */
function asText(input: unknown): string {
  if (typeof input === 'string') return input;
  if (input instanceof Error) {
    const e = input as Error & {
      code?: unknown;
      statusCode?: unknown;
      details?: unknown;
      armError?: unknown;
    };
    // aks-guard's AksError carries the whole ARM error (nested details, subcode) in armError.
    const body = e.armError ?? e.details;
    const parts = [
      typeof e.code === 'string' ? `Code: ${e.code}` : '',
      e.message,
      body !== undefined ? JSON.stringify(body) : '',
    ];
    return parts.filter(Boolean).join('\n');
  }
  if (input && typeof input === 'object') {
    const o = input as CommandResultInput & Record<string, unknown>;
    // A run-command result: the reason and the logs are what explain it.
    if ('logs' in o || 'exitCode' in o || 'reason' in o) {
      return [
        o.reason ? `Reason: ${o.reason}` : '',
        o.exitCode !== undefined ? `exit code ${o.exitCode}` : '',
        o.logs ?? '',
      ]
        .filter(Boolean)
        .join('\n');
    }
    try {
      return JSON.stringify(input, null, 1);
    } catch {
      return Object.prototype.toString.call(input);
    }
  }
  return typeof input === 'number' || typeof input === 'boolean' ? String(input) : '';
}

export function gatherEvidence(input: DiagnoseInput, code?: string): Evidence {
  const text = unescapeLayers(asText(input));
  const codes = findCodes(text);
  const given = code?.trim();
  if (given && !codes.some((c) => c.toLowerCase() === given.toLowerCase())) codes.unshift(given);
  return { text, codes };
}
