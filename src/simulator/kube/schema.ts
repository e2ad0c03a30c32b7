/**
 * A cluster's `kubernetes` section in a scenario: what its simulated API server shows besides the
 * nodes (which follow the pools): workloads and their pods, PodDisruptionBudgets, the deprecated
 * APIs clients have called (the apiserver_requested_deprecated_apis metric), and Kubernetes RBAC
 * for Entra ID principals. Every field has a default, so the section can be left out.
 */
import { z } from 'zod';

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'a Kubernetes name (lowercase DNS subdomain)');
const labels = z.record(z.string(), z.string());
const intOrPercent = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d{1,3}%$/, 'a percentage such as "50%"'),
]);

/** A Deployment, StatefulSet or DaemonSet: its pods are made from it, spread over a pool's nodes. */
const workload = z
  .object({
    namespace: name.default('default'),
    name,
    kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']).default('Deployment'),
    /** Desired pods (DaemonSet: one per node of the pool, this is ignored). */
    replicas: z.number().int().min(0).max(500).default(1),
    /** How many of them are Ready; the rest are Running but not Ready (CrashLoopBackOff). */
    readyReplicas: z.number().int().min(0).optional(),
    /** Labels of its pods (and the selector PDBs match); default {app: name}. */
    labels: labels.optional(),
    /** The pool whose nodes run its pods (nodeSelector agentpool); default the first User pool. */
    pool: z.string().optional(),
    image: z.string().default('mcr.microsoft.com/azurelinux/base/nginx:1.25'),
    /** The pod-template-hash of a Deployment's pods (10 characters); default derived from the name. */
    templateHash: z
      .string()
      .regex(/^[a-z0-9]{6,10}$/)
      .optional(),
    /** Names for its first pods, e.g. the pod an error message names. */
    podNames: z.array(name).optional(),
  })
  .strict();

const podDisruptionBudget = z
  .object({
    namespace: name.default('default'),
    name,
    /** One of the two; null unsets what a scenario this one extends set. */
    minAvailable: intOrPercent.nullish(),
    maxUnavailable: intOrPercent.nullish(),
    /** matchLabels of the selector; default the labels of the workload of the same name. */
    selector: labels.optional(),
  })
  .strict()
  .refine((p) => ((p.minAvailable ?? null) === null) !== ((p.maxUnavailable ?? null) === null), {
    message: 'a PodDisruptionBudget sets exactly one of minAvailable and maxUnavailable',
  });

const deprecatedApi = z
  .object({
    group: z.string().default(''),
    version: z.string(),
    resource: z.string(),
    subresource: z.string().default(''),
    removedRelease: z.string().regex(/^\d+\.\d+$/, 'a minor release such as "1.32"'),
  })
  .strict();

/** Built-in ClusterRoles, or rules of a role of its own. */
const rule = z
  .object({
    apiGroups: z.array(z.string()).default(['']),
    resources: z.array(z.string()).default([]),
    verbs: z.array(z.string()).min(1),
    nonResourceURLs: z.array(z.string()).optional(),
  })
  .strict();

const roleBinding = z
  .object({
    /** A principal of the scenario (displayName, appId or objectId), or a Kubernetes user name. */
    user: z.string().optional(),
    /** A group name (an Entra group object ID on Entra ID clusters). */
    group: z.string().optional(),
    role: z.union([z.enum(['cluster-admin', 'admin', 'edit', 'view']), z.array(rule).min(1)]),
    /** A RoleBinding in this namespace; absent: a ClusterRoleBinding. */
    namespace: name.optional(),
  })
  .strict()
  .refine((b) => (b.user === undefined) !== (b.group === undefined), {
    message: 'a binding names exactly one of user and group',
  });

export const kubernetesSchema = z
  .object({
    /** AKS's own kube-system workloads (coredns, konnectivity-agent, metrics-server, …) and PDBs. */
    systemWorkloads: z.boolean().default(true),
    namespaces: z.array(name).default([]),
    workloads: z.array(workload).default([]),
    podDisruptionBudgets: z.array(podDisruptionBudget).default([]),
    deprecatedApis: z.array(deprecatedApi).default([]),
    roleBindings: z.array(roleBinding).default([]),
    /** The 8 digits in a pool's node names (aks-user-12345678-vmss000000), by pool name. */
    vmssIds: z.record(z.string(), z.string().regex(/^\d{8}$/, '8 digits')).default({}),
  })
  .strict();

export type KubernetesSpec = z.infer<typeof kubernetesSchema>;
export type WorkloadSpec = KubernetesSpec['workloads'][number];
export type PdbSpec = KubernetesSpec['podDisruptionBudgets'][number];
export type RoleBindingSpec = KubernetesSpec['roleBindings'][number];
export type RuleSpec = z.infer<typeof rule>;
