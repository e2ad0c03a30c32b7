/**
 * The simulated Azure DevOps organization a pipeline job runs in: its project, repository, the
 * job's plan and access tokens, the AzureRM service connections the job may use, and the
 * pull-request threads aks-guard comments on.
 */
import type { Directory } from '../identity/directory.ts';
import { ScenarioError } from '../scenario/load.ts';
import { azureDevOpsSchema, type Scenario } from '../scenario/schema.ts';

export type ServiceConnectionScheme =
  'WorkloadIdentityFederation' | 'ServicePrincipal' | 'ManagedServiceIdentity';

/** An AzureRM service connection as the job sees it (ENDPOINT_AUTH_* / ENDPOINT_DATA_*). */
export interface AdoServiceConnection {
  id: string;
  name: string;
  scheme: ServiceConnectionScheme;
  /** App (client) ID of the Entra principal behind it. */
  principal: string;
  tenantId: string;
  /** The `sub` of the OIDC tokens Azure DevOps issues for it: sc://{organization}/{project}/{name}. */
  subject: string;
  /** The `iss` of those tokens: https://vstoken.dev.azure.com/{organizationId}. */
  issuer: string;
}

/** The organization, project, repository and job of one simulated pipeline run. */
export interface AzureDevOpsConfig {
  organization: string;
  organizationId: string;
  project: string;
  projectId: string;
  repository: string;
  repositoryId: string;
  planId: string;
  jobId: string;
  hostType: 'build' | 'release';
  /** System.AccessToken of the job: may request OIDC tokens and comment on pull requests. */
  accessToken: string;
  /** A System.AccessToken whose build identity lacks "Contribute to pull requests". */
  readToken: string;
  oidcTokenLifetimeSeconds: number;
  pullRequestId?: number;
  serviceConnections: AdoServiceConnection[];
  /** The build service identity the access tokens stand for. */
  buildIdentity: AdoIdentity;
}

export interface AdoIdentity {
  displayName: string;
  id: string;
  uniqueName: string;
}

export type ThreadStatus =
  'unknown' | 'active' | 'fixed' | 'wontFix' | 'closed' | 'byDesign' | 'pending';
export const THREAD_STATUSES: ThreadStatus[] = [
  'unknown',
  'active',
  'fixed',
  'wontFix',
  'closed',
  'byDesign',
  'pending',
];

export type CommentType = 'unknown' | 'text' | 'codeChange' | 'system';
export const COMMENT_TYPES: CommentType[] = ['unknown', 'text', 'codeChange', 'system'];

export interface AdoComment {
  id: number;
  parentCommentId: number;
  author: AdoIdentity;
  content: string;
  commentType: CommentType;
  publishedDate: string;
  lastUpdatedDate: string;
  lastContentUpdatedDate: string;
  isDeleted: boolean;
}

/** A property as Azure DevOps stores it in a PropertiesCollection. */
export interface AdoProperty {
  $type: string;
  $value: unknown;
}

export interface PullRequestThread {
  id: number;
  repositoryId: string;
  pullRequestId: number;
  status: ThreadStatus;
  comments: AdoComment[];
  properties: Record<string, AdoProperty>;
  threadContext: unknown;
  isDeleted: boolean;
  publishedDate: string;
  lastUpdatedDate: string;
}

/** The issuer of Azure DevOps OIDC tokens for an organization. */
export function azureDevOpsIssuer(organizationId: string): string {
  return `https://vstoken.dev.azure.com/${organizationId}`;
}

/** The subject Azure DevOps puts in OIDC tokens for a service connection. */
export function serviceConnectionSubject(
  organization: string,
  project: string,
  connection: string,
): string {
  return `sc://${organization}/${project}/${connection}`;
}

/** The build service identity ("Project Collection Build Service (org)"), fixed per organization. */
const BUILD_SERVICE_ID = '3f8a1c5e-7b2d-4e9f-a6c1-8d4b2e7f9a31';

/**
 * Resolves the scenario's `azureDevOps` section (defaults when absent) against the directory:
 * every connection names a principal that exists (the first principal with a secret, or the first
 * managed identity for ManagedServiceIdentity, when it names none).
 */
export function resolveAzureDevOps(
  scenario: Scenario,
  directory: Directory,
  secrets: Map<string, string>,
  generated: { accessToken: string; readToken: string },
): AzureDevOpsConfig {
  const a = scenario.azureDevOps ?? azureDevOpsSchema.parse({});
  const issuer = azureDevOpsIssuer(a.organizationId);
  const seen = new Set<string>();
  const serviceConnections = a.serviceConnections.map((c): AdoServiceConnection => {
    if (seen.has(c.id.toLowerCase()))
      throw new ScenarioError(`Two Azure DevOps service connections have the id ${c.id}.`);
    seen.add(c.id.toLowerCase());
    const principal =
      c.principal ??
      (c.scheme === 'ManagedServiceIdentity'
        ? directory.principals.find((p) => p.managedIdentity)?.appId
        : directory.principals.find((p) => !p.managedIdentity && secrets.has(p.appId))?.appId);
    if (!principal || !directory.byAppId(principal)) {
      throw new ScenarioError(
        `Azure DevOps service connection ${c.name} names principal ${principal ?? '(none)'}, which the scenario does not define.`,
      );
    }
    return {
      id: c.id,
      name: c.name,
      scheme: c.scheme,
      principal,
      tenantId: directory.tenantId,
      subject: serviceConnectionSubject(a.organization, a.project, c.name),
      issuer,
    };
  });
  return {
    organization: a.organization,
    organizationId: a.organizationId,
    project: a.project,
    projectId: a.projectId,
    repository: a.repository,
    repositoryId: a.repositoryId,
    planId: a.planId,
    jobId: a.jobId,
    hostType: a.hostType,
    accessToken: a.accessToken ?? generated.accessToken,
    readToken: a.readToken ?? generated.readToken,
    oidcTokenLifetimeSeconds: a.oidcTokenLifetimeSeconds,
    ...(a.pullRequestId !== undefined ? { pullRequestId: a.pullRequestId } : {}),
    serviceConnections,
    buildIdentity: {
      displayName: `Project Collection Build Service (${a.organization})`,
      id: BUILD_SERVICE_ID,
      uniqueName: `Build\\${a.organizationId}`,
    },
  };
}
