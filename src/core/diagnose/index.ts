/**
 * The diagnosis engine: any AKS failure in, one Diagnosis out: its category, the code that decided,
 * what happened, the facts found in it, and the remediation with this cluster's names filled in.
 */
import { CATALOG } from './catalog.ts';
import { classify } from './classify.ts';
import { extractFacts } from './facts.ts';
import type { DiagnoseInput } from './normalize.ts';
import type { Diagnosis, DiagnosisContext, Names } from './types.ts';

export type { Category, Diagnosis, DiagnosisContext } from './types.ts';
export { CATEGORIES } from './types.ts';
export type { DiagnoseInput } from './normalize.ts';

/** Real names where known, shell variables otherwise, so every command stays complete. */
export function namesFor(ctx: DiagnosisContext, pool?: string): Names {
  return {
    subscriptionId: ctx.subscriptionId || '$SUBSCRIPTION_ID',
    resourceGroup: ctx.resourceGroup || '$RESOURCE_GROUP',
    clusterName: ctx.clusterName || '$CLUSTER',
    nodePool: pool || ctx.nodePool || '$NODE_POOL',
  };
}

export interface DiagnoseOptions {
  /** The error code, when it comes separately from the message (e.g. `--code`). */
  code?: string;
  context?: DiagnosisContext;
}

export function diagnose(input: DiagnoseInput, options: DiagnoseOptions = {}): Diagnosis {
  const ctx = options.context ?? {};
  const c = classify(input, options.code);
  const facts = extractFacts(c.evidence.text);
  if (ctx.kubernetesVersion && facts.targetVersion === undefined)
    facts.targetVersion = ctx.kubernetesVersion;
  const names = namesFor(ctx, facts.pool);
  const info = CATALOG[c.category];
  return {
    category: c.category,
    code: c.code,
    title: info.title,
    summary: info.summary(facts, names),
    retryable: info.retryable,
    remediation: info.remediation(facts, names),
    docs: info.docs,
    facts,
  };
}
