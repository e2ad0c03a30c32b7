/** The scenario file format: a simulated tenant, its clusters, and how they behave. */
import { z } from 'zod';
import type { ArmErrorBody } from '../aks/model.ts';
import { kubernetesSchema } from '../kube/schema.ts';
import { AKS_ERROR_SHAPES, CONFLICT_WORDINGS } from '../arm/errors.ts';

export const armErrorSchema: z.ZodType<ArmErrorBody> = z.lazy(() =>
  z
    .object({
      code: z.string().min(1),
      message: z.string(),
      target: z.string().optional(),
      details: z.array(armErrorSchema).optional(),
      additionalInfo: z.array(z.object({ type: z.string(), info: z.unknown() })).optional(),
    })
    .strict(),
);

/** The headers that can carry an operation-status poll interval (SimSettings). */
export const retryAfterHeaderSchema = z.enum([
  'retry-after',
  'retry-after-ms',
  'x-ms-retry-after-ms',
  'retry-after-date',
]);

export const operationKindSchema = z.enum([
  'create',
  'upgrade',
  'scale',
  'upgrade-node-image',
  'start',
  'stop',
  'reconcile',
  'delete',
]);
const percent = z.number().min(0).max(99);

const pool = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9]{0,11}$/, 'pool names are 1-12 lowercase letters and digits'),
    mode: z.enum(['System', 'User']).optional(),
    count: z.number().int().min(0).max(1000).optional(),
    vmSize: z.string().optional(),
    osType: z.enum(['Linux', 'Windows']).optional(),
    osSKU: z.string().optional(),
    orchestratorVersion: z.string().optional(),
    currentOrchestratorVersion: z.string().optional(),
    nodeImageVersion: z.string().optional(),
    enableAutoScaling: z.boolean().optional(),
    minCount: z.number().int().min(0).optional(),
    maxCount: z.number().int().min(0).optional(),
    maxPods: z.number().int().optional(),
    provisioningState: z.string().optional(),
    powerState: z.enum(['Running', 'Stopped']).optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** An operation already running when the simulator starts (started by "someone else"). */
const runningOperation = z
  .object({
    type: operationKindSchema,
    /** Run it through the agent pools API on this pool (otherwise through the managed cluster API). */
    pool: z.string().optional(),
    kubernetesVersion: z.string().optional(),
    count: z.number().int().min(0).optional(),
    startedSecondsAgo: z.number().min(0).default(0),
    durationSeconds: z.number().positive(),
    stuckAtPercent: percent.optional(),
    failAtPercent: percent.optional(),
    error: armErrorSchema.optional(),
    startedBy: z.string().default('another pipeline (az aks upgrade)'),
  })
  .strict();

/** A finished operation in the cluster's history (e.g. the upgrade that left it Failed). */
const pastOperation = z
  .object({
    type: operationKindSchema,
    pool: z.string().optional(),
    kubernetesVersion: z.string().optional(),
    count: z.number().int().min(0).optional(),
    status: z.enum(['Succeeded', 'Failed', 'Canceled']),
    error: armErrorSchema.optional(),
    startedSecondsAgo: z.number().min(0).default(3600),
    durationSeconds: z.number().positive().default(600),
    percentComplete: z.number().min(0).max(100).optional(),
  })
  .strict();

/**
 * A maintenance configuration as a PUT's properties: `default` (maintenanceWindow, or the legacy
 * timeInWeek/notAllowedTime), `aksManagedAutoUpgradeSchedule` or `aksManagedNodeOSUpgradeSchedule`.
 */
const maintenanceConfiguration = z
  .object({
    name: z.string(),
    maintenanceWindow: z.record(z.string(), z.unknown()).optional(),
    timeInWeek: z.array(z.unknown()).optional(),
    notAllowedTime: z.array(z.unknown()).optional(),
  })
  .strict();

const cluster = z
  .object({
    subscription: z.string().optional(),
    resourceGroup: z.string(),
    name: z.string(),
    location: z.string().default('eastus'),
    kubernetesVersion: z.string(),
    currentKubernetesVersion: z.string().optional(),
    provisioningState: z.string().optional(),
    powerState: z.enum(['Running', 'Stopped']).default('Running'),
    sku: z.record(z.string(), z.unknown()).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    identity: z.record(z.string(), z.unknown()).optional(),
    dnsPrefix: z.string().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    pools: z.array(pool).min(1),
    history: z.array(pastOperation).optional(),
    operation: runningOperation.optional(),
    /** What the cluster's Kubernetes API server shows besides its nodes (kube/schema.ts). */
    kubernetes: kubernetesSchema.optional(),
    /** Planned maintenance, checked as AKS checks a PUT of it (arm/maintenance.ts). */
    maintenanceConfigurations: z.array(maintenanceConfiguration).optional(),
  })
  .strict();

const roleAssignment = z
  .object({
    role: z.union([
      z.string(),
      z
        .object({ actions: z.array(z.string()), notActions: z.array(z.string()).optional() })
        .strict(),
    ]),
    scope: z.string(),
  })
  .strict();

const principal = z
  .object({
    displayName: z.string(),
    appId: z.string(),
    objectId: z.string(),
    /** A client secret; "generate" makes a fresh random one at every start. */
    secret: z.string().optional(),
    federatedCredentials: z
      .array(
        z
          .object({
            name: z.string().optional(),
            issuer: z.string(),
            subject: z.string(),
            audiences: z.array(z.string()).default(['api://AzureADTokenExchange']),
          })
          .strict(),
      )
      .default([]),
    roleAssignments: z.array(roleAssignment).default([]),
    managedIdentity: z.boolean().optional(),
  })
  .strict();

const rule = z.object({
  operation: z.union([operationKindSchema, z.literal('any')]),
  cluster: z.string().optional(),
  pool: z.string().optional(),
});

const bucket = z
  .object({ capacity: z.number().positive(), refillPerSecond: z.number().min(0) })
  .strict();

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID');

/** The default Azure DevOps service connection: workload identity federation for the CI principal. */
export const DEFAULT_SERVICE_CONNECTION_ID = '8b3e5f7a-2c4d-4e6f-9a1b-3c5d7e9f1a2b';

/**
 * The Azure DevOps organization and pipeline job (System.* variables), its AzureRM service
 * connections, and pull-request threads already there. Every field has a default, so the section
 * can be left out.
 */
export const azureDevOpsSchema = z
  .object({
    organization: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,49}$/, 'letters, digits and hyphens')
      .default('contoso'),
    organizationId: guid.default('6d2e8f4a-1b3c-4d5e-8f7a-9b1c3d5e7f20'),
    project: z.string().min(1).default('platform'),
    projectId: guid.default('a4c6e8f0-2b4d-4f6a-8c0e-1d3f5b7d9e21'),
    repository: z.string().min(1).default('platform'),
    repositoryId: guid.default('c2e4a6b8-0d1f-4a3c-9e5b-7d9f1b3d5a22'),
    planId: guid.default('e1f3a5c7-9b2d-4c6e-8a0f-2b4d6f8a0c23'),
    jobId: guid.default('0a2c4e6f-8b1d-4f3a-9c5e-7b9d1f3a5c24'),
    hostType: z.enum(['build', 'release']).default('build'),
    /** System.AccessToken; absent: a fresh one at every start. */
    accessToken: z.string().min(1).optional(),
    /** A System.AccessToken without "Contribute to pull requests"; absent: a fresh one. */
    readToken: z.string().min(1).optional(),
    oidcTokenLifetimeSeconds: z.number().int().positive().default(600),
    /** System.PullRequest.PullRequestId, when the run is a pull-request build. */
    pullRequestId: z.number().int().positive().optional(),
    serviceConnections: z
      .array(
        z
          .object({
            id: guid.default(DEFAULT_SERVICE_CONNECTION_ID),
            name: z.string().min(1).default('aks-prod'),
            scheme: z
              .enum(['WorkloadIdentityFederation', 'ServicePrincipal', 'ManagedServiceIdentity'])
              .default('WorkloadIdentityFederation'),
            /** App ID; absent: the first principal with a secret (or managed identity for MSI). */
            principal: z.string().optional(),
          })
          .strict(),
      )
      .default([
        {
          id: DEFAULT_SERVICE_CONNECTION_ID,
          name: 'aks-prod',
          scheme: 'WorkloadIdentityFederation',
        },
      ]),
    /** Threads already on pull requests (someone else's review comments, system threads). */
    threads: z
      .array(
        z
          .object({
            pullRequestId: z.number().int().positive().optional(),
            content: z.string(),
            author: z.string().default('Megan Bowen'),
            commentType: z.enum(['text', 'system']).default('text'),
            status: z
              .enum(['unknown', 'active', 'fixed', 'wontFix', 'closed', 'byDesign', 'pending'])
              .default('active'),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const scenarioSchema = z
  .object({
    description: z.string(),
    extends: z.string().optional(),
    seed: z.number().int().default(1),
    tenant: z.object({ id: z.string(), domain: z.string() }).strict(),
    subscriptions: z
      .array(
        z
          .object({ id: z.string(), displayName: z.string(), state: z.string().default('Enabled') })
          .strict(),
      )
      .min(1),
    resourceGroups: z
      .array(
        z
          .object({ subscription: z.string().optional(), name: z.string(), location: z.string() })
          .strict(),
      )
      .default([]),
    principals: z.array(principal).min(1),
    clusters: z.array(cluster).default([]),
    versions: z
      .array(
        z
          .object({
            version: z.string(),
            patches: z.array(z.string()).min(1),
            isDefault: z.boolean().optional(),
            isPreview: z.boolean().optional(),
          })
          .strict(),
      )
      .optional(),
    nodeImageRelease: z.string().default('202611.02.0'),
    durations: z.partialRecord(operationKindSchema, z.number().positive()).default({}),
    cancelSeconds: z.number().positive().default(2),
    failures: z
      .array(
        rule
          .extend({
            atPercent: percent,
            error: armErrorSchema,
            times: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .default([]),
    stuck: z.array(rule.extend({ atPercent: percent }).strict()).default([]),
    throttling: z
      .object({
        reads: bucket.optional(),
        writes: bucket.optional(),
        clusterWrites: bucket.optional(),
      })
      .strict()
      .default({}),
    faults: z
      .array(
        z
          .object({
            match: z
              .object({
                host: z.string().optional(),
                method: z.string().optional(),
                path: z.string().optional(),
              })
              .strict()
              .optional(),
            action: z.enum([
              'error',
              'drop',
              'latency',
              'drop-response',
              'truncate-response',
              'respond',
            ]),
            status: z.number().int().min(200).max(599).optional(),
            body: z.unknown().optional(),
            headers: z.record(z.string(), z.string()).optional(),
            code: z.string().optional(),
            message: z.string().optional(),
            retryAfterSeconds: z.number().int().min(0).optional(),
            latencyMs: z.number().int().min(0).optional(),
            skip: z.number().int().min(0).optional(),
            times: z.number().int().positive().optional(),
            probability: z.number().min(0).max(1).optional(),
          })
          .strict(),
      )
      .default([]),
    conflictWording: z.enum(CONFLICT_WORDINGS).default('classic'),
    aksErrorShape: z.enum(AKS_ERROR_SHAPES).default('flat'),
    abortResponse: z.union([z.literal(202), z.literal(204)]).default(202),
    retryAfterSeconds: z.number().int().min(0).default(1),
    statusRetryAfterSeconds: z.number().min(0).optional(),
    statusRetryAfterHeaders: z.array(retryAfterHeaderSchema).min(1).default(['retry-after']),
    tokenLifetimeSeconds: z.number().int().positive().default(3599),
    runCommandSeconds: z.number().min(0).default(2),
    runCommands: z
      .array(
        z
          .object({
            match: z.string(),
            exitCode: z.number().int().optional(),
            logs: z.string().optional(),
            durationSeconds: z.number().min(0).optional(),
            failure: z
              .enum(['pod-not-started', 'performance', 'policy-denied', 'not-found'])
              .optional(),
            failedReason: z.string().optional(),
            error: armErrorSchema.optional(),
          })
          .strict(),
      )
      .default([]),
    github: z
      .object({
        repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'owner/name'),
        ref: z.string().default('refs/heads/main'),
        eventName: z.string().default('push'),
        environment: z.string().optional(),
        pullRequest: z.number().int().positive().optional(),
        actor: z.string().default('octocat'),
        oidcTokenLifetimeSeconds: z.number().int().positive().default(300),
        tokens: z
          .array(
            z
              .object({
                token: z.string(),
                permission: z.enum(['read', 'write']),
                login: z.string(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .optional(),
    azureDevOps: azureDevOpsSchema.optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
