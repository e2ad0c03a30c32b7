/**
 * The slice of Azure DevOps Services an Azure Pipelines task uses: the job's OIDC token endpoint
 * (System.OidcRequestUri, what AzurePipelinesCredential and the AzureRM tasks call) and the
 * pull-request threads API (list, get, create and update threads, update a comment), and the
 * connection data (`_apis/connectionData`, who the access token stands for), with the job's
 * access tokens, the build identity's permissions and Azure DevOps' error shapes.
 *
 * Served on https://dev.azure.com/{organization}/… through the proxy and under /ado/ on the direct
 * origin (https://127.0.0.1:PORT/ado/{organization}/…).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import {
  header,
  json,
  type RequestContext,
  type SimRequest,
  type SimResponse,
} from '../net/http-kit.ts';
import { TOKEN_EXCHANGE_AUDIENCE } from '../identity/entra.ts';
import type { SigningKey } from '../identity/keys.ts';
import {
  COMMENT_TYPES,
  THREAD_STATUSES,
  azureDevOpsIssuer,
  type AdoComment,
  type AdoIdentity,
  type AdoProperty,
  type AzureDevOpsConfig,
  type CommentType,
  type PullRequestThread,
  type ThreadStatus,
} from './model.ts';
import type { Scenario } from '../scenario/schema.ts';

export const AZURE_DEVOPS_HOST = 'dev.azure.com';
/** Path prefix of the Azure DevOps endpoints on the direct origin. */
export const AZURE_DEVOPS_PREFIX = '/ado';
/** Azure DevOps refuses longer pull-request comments (undocumented; seen in the wild). */
export const MAX_COMMENT_LENGTH = 150000;

const SYSTEM_IDENTITY: AdoIdentity = {
  displayName: 'Microsoft.VisualStudio.Services.TFS',
  id: '00000002-0000-8888-8000-000000000000',
  uniqueName: '00000002-0000-8888-8000-000000000000@2c895908-04e0-4952-89fd-54b0046d6288',
};

type ThreadSeed = NonNullable<Scenario['azureDevOps']>['threads'][number];

/** An Azure DevOps error body: `$id`, `innerException`, `message`, `typeName`, `typeKey`, `errorCode`, `eventId`. */
function adoError(
  status: number,
  message: string,
  typeKey: string,
  typeName: string,
  eventId = 3000,
): SimResponse {
  return json(status, {
    $id: '1',
    innerException: null,
    message,
    typeName: `${typeName}, ${typeName.startsWith('System.') ? 'mscorlib' : typeName.slice(0, typeName.lastIndexOf('.'))}`,
    typeKey,
    errorCode: 0,
    eventId,
  });
}

const GIT = 'Microsoft.TeamFoundation.Git.Server';
const DT = 'Microsoft.TeamFoundation.DistributedTask.WebApi';

function identityFor(name: string): AdoIdentity {
  const h = createHash('sha1').update(name).digest('hex');
  return {
    displayName: name,
    id: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`,
    uniqueName: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@contoso.com`,
  };
}

/** A thread property as Azure DevOps returns it: `{ "$type": "System.String", "$value": … }`. */
function toProperty(value: unknown): AdoProperty {
  if (value && typeof value === 'object' && '$type' in value && '$value' in value)
    return { $type: String(value.$type), $value: value.$value };
  if (typeof value === 'number')
    return { $type: Number.isInteger(value) ? 'System.Int32' : 'System.Double', $value: value };
  if (typeof value === 'boolean') return { $type: 'System.Boolean', $value: value };
  return {
    $type: 'System.String',
    $value: typeof value === 'string' ? value : JSON.stringify(value),
  };
}

function enumValue<T extends string>(values: T[], v: unknown): T | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? values[v] : undefined;
  if (typeof v === 'string') return values.find((x) => x.toLowerCase() === v.toLowerCase());
  return undefined;
}

type Body = { ok: true; value: Record<string, unknown> } | { ok: false; response: SimResponse };

/** Absolute URLs for `_links` and identities, as the client addressed the service. */
interface Links {
  org: string;
  repository: string;
  pullRequest: string;
}

/** Which API a path (after `_apis/`, lower-cased) addresses. */
function apiKind(api: string[]): 'oidc' | 'threads' | 'connectionData' | undefined {
  if (api.length === 1 && api[0] === 'connectiondata') return 'connectionData';
  if (
    api.length === 8 &&
    api[0] === 'distributedtask' &&
    api[1] === 'hubs' &&
    api[3] === 'plans' &&
    api[5] === 'jobs' &&
    api[7] === 'oidctoken'
  )
    return 'oidc';
  if (
    api.length >= 6 &&
    api[0] === 'git' &&
    api[1] === 'repositories' &&
    api[3] === 'pullrequests' &&
    api[5] === 'threads'
  )
    return 'threads';
  return undefined;
}

/** The request log's name for a call, e.g. AzureDevOps_CreateThread. */
function operationName(
  kind: 'oidc' | 'threads' | 'connectionData',
  method: string,
  depth: number,
): string | undefined {
  if (kind === 'oidc') return 'AzureDevOps_OidcToken';
  if (kind === 'connectionData') return 'AzureDevOps_ConnectionData';
  const names: Record<number, Record<string, string>> = {
    6: { GET: 'ListThreads', POST: 'CreateThread' },
    7: { GET: 'GetThread', PATCH: 'UpdateThread' },
    9: { GET: 'GetComment', PATCH: 'UpdateComment' },
  };
  const name = names[depth]?.[method];
  return name ? `AzureDevOps_${name}` : undefined;
}

interface Route {
  /** The organization's URL as the client addressed it, e.g. https://dev.azure.com/contoso. */
  base: string;
  config: AzureDevOpsConfig;
  api: string[];
  project: string | undefined;
}

export class AzureDevOpsService {
  /** Every pull-request thread, in creation order (all repositories and pull requests). */
  readonly threads: PullRequestThread[] = [];
  private nextThreadId = 1;

  private readonly clock: Clock;
  private readonly key: SigningKey;
  private readonly config: () => AzureDevOpsConfig;

  constructor(clock: Clock, key: SigningKey, config: () => AzureDevOpsConfig) {
    this.clock = clock;
    this.key = key;
    this.config = config;
  }

  /** Forgets every thread and puts the scenario's own threads on its pull requests. */
  load(seeds: ThreadSeed[]): void {
    this.threads.length = 0;
    this.nextThreadId = 1;
    const c = this.config();
    const now = this.clock.iso();
    for (const s of seeds) {
      const author = s.commentType === 'system' ? SYSTEM_IDENTITY : identityFor(s.author);
      this.threads.push({
        id: this.nextThreadId++,
        repositoryId: c.repositoryId,
        pullRequestId: s.pullRequestId ?? c.pullRequestId ?? 1,
        status: s.status,
        comments: [
          {
            id: 1,
            parentCommentId: 0,
            author,
            content: s.content,
            commentType: s.commentType,
            publishedDate: now,
            lastUpdatedDate: now,
            lastContentUpdatedDate: now,
            isDeleted: false,
          },
        ],
        properties: {},
        threadContext: null,
        isDeleted: false,
        publishedDate: now,
        lastUpdatedDate: now,
      });
    }
  }

  handle = async (req: SimRequest, ctx: RequestContext): Promise<SimResponse> => {
    ctx.service = 'azure-devops';
    const r = await this.route(req, ctx);
    return {
      ...r,
      headers: {
        'X-VSS-E2EID': randomUUID(),
        ActivityId: randomUUID(),
        'X-TFS-Session': randomUUID(),
        'X-MSEdge-Ref': `Ref A: ${randomUUID().replace(/-/g, '').slice(0, 32).toUpperCase()} Ref B: SIM01EDGE0101 Ref C: ${this.clock.iso()}`,
        ...(r.headers ?? {}),
      },
    };
  };

  private async route(req: SimRequest, ctx: RequestContext): Promise<SimResponse> {
    const direct = req.host !== AZURE_DEVOPS_HOST;
    let path = req.url.pathname;
    if (direct) path = path.slice(AZURE_DEVOPS_PREFIX.length);
    let segments: string[];
    try {
      segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return this.notFound(req);
    }
    const config = this.config();
    const [org, ...rest] = segments;
    if (!org || org.toLowerCase() !== config.organization.toLowerCase()) {
      return adoError(
        404,
        `The organization '${org ?? ''}' does not exist, or you do not have access to it.`,
        'HostDoesNotExistException',
        'Microsoft.VisualStudio.Services.WebApi.HostDoesNotExistException',
      );
    }
    const project = rest[0]?.toLowerCase() === '_apis' ? undefined : rest.shift();
    if (rest[0]?.toLowerCase() !== '_apis') return this.notFound(req);
    const api = rest.slice(1);
    const lower = api.map((s) => s.toLowerCase());
    const kind = apiKind(lower);
    const operation = kind && operationName(kind, req.method, lower.length);
    if (operation) ctx.operation = operation;

    const permission = this.authenticate(req, config);
    if (!permission) return this.unauthenticated(req);
    ctx.principal = config.buildIdentity.displayName;

    if (project !== undefined && !this.isProject(config, project)) {
      return adoError(
        404,
        `TF200016: The following project does not exist: ${project}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
        'ProjectDoesNotExistWithNameException',
        'Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException',
      );
    }
    const base = `${req.origin}${direct ? AZURE_DEVOPS_PREFIX : ''}/${config.organization}`;
    const route: Route = { base, config, api, project };
    if (kind === 'oidc') {
      if (req.method !== 'POST') return this.methodNotAllowed(req);
      if (project === undefined) return this.notFound(req);
      return this.oidcToken(req, route);
    }
    if (kind === 'threads') return this.threadsApi(req, route, permission);
    if (kind === 'connectionData') {
      // The location service answers for the organization (collection), not under a project.
      if (project !== undefined) return this.notFound(req);
      if (req.method !== 'GET') return this.methodNotAllowed(req);
      return this.connectionData(req, config);
    }
    return this.notFound(req);
  }

  // ---------------------------------------------------------------------------------------------
  // Connection data: who the access token stands for

  /**
   * `GET {collection}/_apis/connectionData`: the authenticated (and authorized) identity, here the
   * build service the job's access tokens stand for, and the instance. The resource is in preview:
   * a released api-version is refused (400 VssInvalidPreviewVersionException); none, or a
   * `-preview` one, is taken.
   */
  private connectionData(req: SimRequest, c: AzureDevOpsConfig): SimResponse {
    const version = req.url.searchParams.get('api-version');
    if (version !== null && !/-preview(\.\d+)?$/i.test(version.trim())) {
      const v = version.trim();
      return adoError(
        400,
        `The requested version "${v}" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: "${v}-preview"`,
        'VssInvalidPreviewVersionException',
        'Microsoft.VisualStudio.Services.WebApi.VssInvalidPreviewVersionException',
        0,
      );
    }
    const who = c.buildIdentity;
    const identity = {
      id: who.id,
      descriptor: `Microsoft.TeamFoundation.ServiceIdentity;${c.organizationId}:Build:${c.organizationId}`,
      // The same descriptor as the identity's in comments (`author.descriptor`).
      subjectDescriptor: `svc.${Buffer.from(who.id).toString('base64url')}`,
      providerDisplayName: who.displayName,
      isActive: true,
      properties: {
        Account: { $type: 'System.String', $value: who.uniqueName },
      },
      resourceVersion: 2,
      metaTypeId: 255,
    };
    return json(200, {
      authenticatedUser: identity,
      authorizedUser: identity,
      instanceId: c.organizationId,
      deploymentId: '8a2c4e6f-0b1d-4f3a-9c5e-7b9d1f3a5c60',
      deploymentType: 'hosted',
      locationServiceData: {
        serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7',
        defaultAccessMappingMoniker: 'PublicAccessMapping',
        lastChangeId: 1,
        lastChangeId64: 1,
      },
    });
  }

  private isProject(config: AzureDevOpsConfig, p: string): boolean {
    const x = p.toLowerCase();
    return x === config.project.toLowerCase() || x === config.projectId.toLowerCase();
  }

  /** The job's System.AccessToken, as a bearer token or as the password of Basic auth. */
  private authenticate(req: SimRequest, config: AzureDevOpsConfig): 'write' | 'read' | undefined {
    const auth = header(req, 'authorization') ?? '';
    let token: string | undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
    const basic = /^Basic\s+(\S+)$/i.exec(auth);
    if (bearer) token = bearer[1];
    else if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      token = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (!token) return undefined;
    if (token === config.accessToken) return 'write';
    if (token === config.readToken) return 'read';
    return undefined;
  }

  /**
   * What Azure DevOps answers a call without valid credentials: with `X-TFS-FedAuthRedirect:
   * Suppress` (AzurePipelinesCredential sends it) 401 with an HTML page; without it, 203 with the
   * HTML sign-in page. Neither is JSON.
   */
  private unauthenticated(req: SimRequest): SimResponse {
    const suppress = (header(req, 'x-tfs-fedauthredirect') ?? '').toLowerCase() === 'suppress';
    if (suppress) {
      return {
        status: 401,
        headers: {
          'Content-Type': 'text/html; charset=utf-8',
          'WWW-Authenticate':
            'Bearer authorization_uri=https://login.microsoftonline.com/common, Basic realm="https://dev.azure.com/", TFS-Federated',
          'X-TFS-FedAuthRealm': 'https://dev.azure.com/',
          'X-TFS-FedAuthIssuer': 'https://dev.azure.com/',
        },
        body:
          '<!DOCTYPE html><html><head><title>Azure DevOps Services | Unauthorized</title></head>' +
          '<body><h1>401 - Unauthorized</h1><p>TF400813: The user is not authorized to access this resource.</p></body></html>',
      };
    }
    return {
      status: 203,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body:
        '<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head>' +
        '<body><form id="signin" action="https://app.vssps.visualstudio.com/_signin?realm=dev.azure.com" method="post">' +
        '<p>Sign in to your account to continue to Azure DevOps.</p></form></body></html>',
    };
  }

  private notFound(req: SimRequest): SimResponse {
    return adoError(
      404,
      `The requested resource ${req.method} ${req.url.pathname} does not exist.`,
      'VssResourceNotFoundException',
      'Microsoft.VisualStudio.Services.WebApi.VssResourceNotFoundException',
    );
  }

  private methodNotAllowed(req: SimRequest): SimResponse {
    return json(405, {
      message: `The requested resource does not support http method '${req.method}'.`,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // OIDC tokens for service connections

  private async oidcToken(req: SimRequest, r: Route): Promise<SimResponse> {
    const c = r.config;
    const [, , hub, , planId, , jobId] = r.api;
    if (hub!.toLowerCase() !== c.hostType || planId!.toLowerCase() !== c.planId.toLowerCase()) {
      return adoError(
        404,
        `Plan ${planId} not found in hub ${hub}.`,
        'TaskOrchestrationPlanNotFoundException',
        `${DT}.TaskOrchestrationPlanNotFoundException`,
      );
    }
    if (jobId!.toLowerCase() !== c.jobId.toLowerCase()) {
      return adoError(
        404,
        `Job ${jobId} not found in plan ${planId}.`,
        'TaskOrchestrationJobNotFoundException',
        `${DT}.TaskOrchestrationJobNotFoundException`,
      );
    }
    const id = req.url.searchParams.get('serviceConnectionId') ?? '';
    const connection = c.serviceConnections.find((s) => s.id.toLowerCase() === id.toLowerCase());
    if (!connection) {
      return adoError(
        404,
        `Service connection ${id || '(none)'} could not be found. It may have been deleted, or the pipeline is not authorized to use it.`,
        'ServiceEndpointNotFoundException',
        `${DT}.ServiceEndpointNotFoundException`,
      );
    }
    const now = Math.floor(this.clock.now() / 1000);
    const oidcToken = await this.key.sign({
      jti: randomUUID(),
      sub: connection.subject,
      aud: TOKEN_EXCHANGE_AUDIENCE,
      iss: azureDevOpsIssuer(c.organizationId),
      nbf: now,
      exp: now + c.oidcTokenLifetimeSeconds,
      iat: now,
    });
    return json(200, { oidcToken });
  }

  // ---------------------------------------------------------------------------------------------
  // Pull-request threads

  private async threadsApi(
    req: SimRequest,
    r: Route,
    permission: 'read' | 'write',
  ): Promise<SimResponse> {
    const c = r.config;
    const [, , repo, , pr, , threadSeg, commentsSeg, commentSeg] = r.api;
    const repoLower = repo!.toLowerCase();
    if (repoLower !== c.repositoryId.toLowerCase() && repoLower !== c.repository.toLowerCase()) {
      return adoError(
        404,
        `TF401019: The Git repository with name or identifier ${repo} does not exist or you do not have permissions for the operation you are attempting.`,
        'GitRepositoryNotFoundException',
        `${GIT}.GitRepositoryNotFoundException`,
      );
    }
    // A repository named by its GUID needs no project; by its name it does.
    if (r.project === undefined && repoLower !== c.repositoryId.toLowerCase())
      return this.notFound(req);
    if (!/^\d+$/.test(pr!) || Number(pr) < 1) return this.notFound(req);
    const pullRequestId = Number(pr);
    const repository = `${r.base}/${c.projectId}/_apis/git/repositories/${c.repositoryId}`;
    const links: Links = {
      org: r.base,
      repository,
      pullRequest: `${repository}/pullRequests/${pullRequestId}`,
    };
    const mine = this.threads.filter(
      (t) => t.repositoryId === c.repositoryId && t.pullRequestId === pullRequestId,
    );
    const findThread = (): PullRequestThread | SimResponse => {
      const t = /^\d+$/.test(threadSeg!) ? mine.find((x) => x.id === Number(threadSeg)) : undefined;
      return (
        t ??
        adoError(
          404,
          `The requested pull request comment thread ${threadSeg} was not found.`,
          'GitPullRequestCommentThreadNotFoundException',
          `${GIT}.GitPullRequestCommentThreadNotFoundException`,
        )
      );
    };

    if (threadSeg === undefined) {
      if (req.method === 'GET') {
        return json(200, {
          value: mine.map((t) => this.threadJson(links, t)),
          count: mine.length,
        });
      }
      if (req.method === 'POST') {
        const denied = this.needsContribute(permission, c);
        if (denied) return denied;
        return this.createThread(req, c, pullRequestId, links);
      }
      return this.methodNotAllowed(req);
    }

    if (commentsSeg === undefined) {
      const t = findThread();
      if (!('id' in t)) return t;
      if (req.method === 'GET') {
        return json(200, this.threadJson(links, t));
      }
      if (req.method === 'PATCH') {
        const denied = this.needsContribute(permission, c);
        if (denied) return denied;
        const body = this.jsonBody(req, 'newThread');
        if (!body.ok) return body.response;
        const b = body.value;
        if (b.status !== undefined) {
          const status = enumValue(THREAD_STATUSES, b.status);
          if (!status) return this.invalidEnum('CommentThreadStatus', b.status);
          t.status = status;
        }
        if (b.properties && typeof b.properties === 'object') {
          for (const [k, v] of Object.entries(b.properties as Record<string, unknown>))
            t.properties[k] = toProperty(v);
        }
        t.lastUpdatedDate = this.clock.iso();
        return json(200, this.threadJson(links, t));
      }
      return this.methodNotAllowed(req);
    }

    if (commentsSeg.toLowerCase() !== 'comments' || commentSeg === undefined || r.api.length > 9)
      return this.notFound(req);
    const t = findThread();
    if (!('id' in t)) return t;
    const comment = /^\d+$/.test(commentSeg)
      ? t.comments.find((x) => x.id === Number(commentSeg))
      : undefined;
    if (!comment) {
      return adoError(
        404,
        `The requested pull request comment ${commentSeg} was not found in thread ${t.id}.`,
        'GitPullRequestCommentNotFoundException',
        `${GIT}.GitPullRequestCommentNotFoundException`,
      );
    }
    if (req.method === 'GET') {
      return json(200, this.commentJson(links, t, comment));
    }
    if (req.method !== 'PATCH') return this.methodNotAllowed(req);
    const denied = this.needsContribute(permission, c);
    if (denied) return denied;
    const body = this.jsonBody(req, 'comment');
    if (!body.ok) return body.response;
    const content = body.value.content;
    if (typeof content !== 'string') return this.nullArgument('comment.Content');
    const tooLong = this.checkLength(content);
    if (tooLong) return tooLong;
    if (comment.author.id !== c.buildIdentity.id) {
      return adoError(
        403,
        `${c.buildIdentity.displayName} cannot edit comment ${comment.id} of thread ${t.id}: only its author, ${comment.author.displayName}, can.`,
        'GitPullRequestCommentNotEditableException',
        `${GIT}.GitPullRequestCommentNotEditableException`,
      );
    }
    const now = this.clock.iso();
    comment.content = content;
    comment.lastUpdatedDate = now;
    comment.lastContentUpdatedDate = now;
    t.lastUpdatedDate = now;
    return json(200, this.commentJson(links, t, comment));
  }

  private needsContribute(
    permission: 'read' | 'write',
    c: AzureDevOpsConfig,
  ): SimResponse | undefined {
    if (permission === 'write') return undefined;
    return adoError(
      403,
      `TF401027: You need the Git 'PullRequestContribute' permission to perform this action. Details: identity '${c.buildIdentity.uniqueName}', scope 'repository'.`,
      'GitNeedsPermissionException',
      `${GIT}.GitNeedsPermissionException`,
    );
  }

  /** The JSON body as an object, or the 400 Azure DevOps gives for a missing or broken one. */
  private jsonBody(req: SimRequest, parameter: string): Body {
    let parsed: unknown;
    try {
      const text = req.body.toString('utf8');
      parsed = text.trim() ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      return { ok: false, response: this.nullArgument(parameter) };
    return { ok: true, value: parsed as Record<string, unknown> };
  }

  private nullArgument(parameter: string): SimResponse {
    return adoError(
      400,
      `Value cannot be null.\r\nParameter name: ${parameter}`,
      'ArgumentNullException',
      'System.ArgumentNullException',
      0,
    );
  }

  private invalidEnum(type: string, value: unknown): SimResponse {
    return adoError(
      400,
      `The value '${String(value)}' is not a valid ${type}.`,
      'InvalidArgumentValueException',
      'Microsoft.TeamFoundation.SourceControl.WebServer.InvalidArgumentValueException',
      0,
    );
  }

  private checkLength(content: string): SimResponse | undefined {
    if (content.length <= MAX_COMMENT_LENGTH) return undefined;
    return adoError(
      400,
      `A discussion comment cannot be longer than ${MAX_COMMENT_LENGTH} characters.\r\nParameter name: comment.Content`,
      'ArgumentException',
      'System.ArgumentException',
      0,
    );
  }

  private createThread(
    req: SimRequest,
    c: AzureDevOpsConfig,
    pullRequestId: number,
    links: Links,
  ): SimResponse {
    const body = this.jsonBody(req, 'newThread');
    if (!body.ok) return body.response;
    const b = body.value;
    const comments = b.comments;
    if (!Array.isArray(comments) || comments.length === 0) return this.nullArgument('comments');
    let status: ThreadStatus = 'unknown';
    if (b.status !== undefined) {
      const s = enumValue(THREAD_STATUSES, b.status);
      if (!s) return this.invalidEnum('CommentThreadStatus', b.status);
      status = s;
    }
    const now = this.clock.iso();
    const made: AdoComment[] = [];
    for (const [i, raw] of comments.entries()) {
      const x = (raw ?? {}) as Record<string, unknown>;
      if (typeof x.content !== 'string') return this.nullArgument('comment.Content');
      const tooLong = this.checkLength(x.content);
      if (tooLong) return tooLong;
      let commentType: CommentType = 'text';
      if (x.commentType !== undefined) {
        const t = enumValue(COMMENT_TYPES, x.commentType);
        if (!t) return this.invalidEnum('CommentType', x.commentType);
        commentType = t;
      }
      made.push({
        id: i + 1,
        parentCommentId:
          typeof x.parentCommentId === 'number' ? x.parentCommentId : i === 0 ? 0 : 1,
        author: c.buildIdentity,
        content: x.content,
        commentType,
        publishedDate: now,
        lastUpdatedDate: now,
        lastContentUpdatedDate: now,
        isDeleted: false,
      });
    }
    const properties: Record<string, AdoProperty> = {
      'Microsoft.TeamFoundation.Discussion.SupportsMarkdown': { $type: 'System.Int32', $value: 1 },
      'Microsoft.TeamFoundation.Discussion.UniqueID': {
        $type: 'System.String',
        $value: randomUUID(),
      },
    };
    if (b.properties && typeof b.properties === 'object' && !Array.isArray(b.properties)) {
      for (const [k, v] of Object.entries(b.properties as Record<string, unknown>))
        properties[k] = toProperty(v);
    }
    const thread: PullRequestThread = {
      id: this.nextThreadId++,
      repositoryId: c.repositoryId,
      pullRequestId,
      status,
      comments: made,
      properties,
      threadContext: b.threadContext ?? null,
      isDeleted: false,
      publishedDate: now,
      lastUpdatedDate: now,
    };
    this.threads.push(thread);
    return json(200, this.threadJson(links, thread));
  }

  private identityJson(l: Links, who: AdoIdentity): Record<string, unknown> {
    return {
      displayName: who.displayName,
      url: `${l.org}/_apis/Identities/${who.id}`,
      _links: { avatar: { href: `${l.org}/_apis/GraphProfile/MemberAvatars/svc.${who.id}` } },
      id: who.id,
      uniqueName: who.uniqueName,
      imageUrl: `${l.org}/_api/_common/identityImage?id=${who.id}`,
      descriptor: `svc.${Buffer.from(who.id).toString('base64url')}`,
    };
  }

  private commentJson(l: Links, t: PullRequestThread, c: AdoComment): Record<string, unknown> {
    return {
      id: c.id,
      parentCommentId: c.parentCommentId,
      author: this.identityJson(l, c.author),
      content: c.content,
      publishedDate: c.publishedDate,
      lastUpdatedDate: c.lastUpdatedDate,
      lastContentUpdatedDate: c.lastContentUpdatedDate,
      commentType: c.commentType,
      isDeleted: c.isDeleted,
      usersLiked: [],
      _links: {
        self: { href: `${l.pullRequest}/threads/${t.id}/comments/${c.id}` },
        repository: { href: l.repository },
        threads: { href: `${l.pullRequest}/threads/${t.id}` },
        pullRequests: { href: l.pullRequest },
      },
    };
  }

  private threadJson(l: Links, t: PullRequestThread): Record<string, unknown> {
    return {
      pullRequestThreadContext: null,
      id: t.id,
      publishedDate: t.publishedDate,
      lastUpdatedDate: t.lastUpdatedDate,
      comments: t.comments.map((c) => this.commentJson(l, t, c)),
      status: t.status,
      threadContext: t.threadContext,
      properties: t.properties,
      identities: null,
      isDeleted: t.isDeleted,
      _links: {
        self: { href: `${l.pullRequest}/threads/${t.id}` },
        repository: { href: l.repository },
      },
    };
  }
}
