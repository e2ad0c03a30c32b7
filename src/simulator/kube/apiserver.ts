/**
 * One simulated cluster's Kubernetes API server: HTTPS on loopback with the cluster's own CA,
 * reached directly (https://127.0.0.1:PORT, the certificate names 127.0.0.1) or at the cluster's
 * FQDN through the simulator's proxy. It authenticates as AKS does (the local accounts' client
 * certificates and static tokens, unless local accounts are disabled; on Entra ID clusters a bearer
 * token the simulated Entra issued for the AKS server application), applies Kubernetes RBAC and
 * serves discovery, /version, nodes, pods, PodDisruptionBudgets, SelfSubjectAccessReviews and
 * /metrics, read-only, answering errors with the API server's Status objects.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { decodeJwt, jwtVerify } from 'jose';
import type { ClusterState } from '../aks/model.ts';
import type { Clock } from '../clock.ts';
import type { Directory } from '../identity/directory.ts';
import type { SigningKey } from '../identity/keys.ts';
import type { RequestLog } from '../request-log.ts';
import type { AksEngine } from '../aks/engine.ts';
import { fqdn } from '../aks/serialize.ts';
import {
  RESOURCES,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  status,
  table,
  versionInfo,
  wantsTable,
} from './discovery.ts';
import { buildWorld, type KubeObject, type KubeWorld } from './objects.ts';
import type { ClusterPki } from './pki.ts';
import {
  authorize,
  forbiddenStatus,
  rulesOf,
  type Binding,
  type RequestAttributes,
  type UserInfo,
} from './rbac.ts';
import type { KubernetesSpec } from './schema.ts';
import { selfSubjectAccessReviewSpec } from './protobuf.ts';
import { select } from './selectors.ts';

/** The Entra ID application of the AKS API servers: the audience of tokens kubelogin gets. */
export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
/** The public client kubelogin signs users in with (the `--client-id` of AKS kubeconfigs). */
export const AKS_CLIENT_APP_ID = '80faf920-1908-4b52-b5ef-a8e7bedfc67a';

export interface ApiServerDeps {
  /** The cluster as it is now (undefined once it is gone). */
  cluster: () => ClusterState | undefined;
  engine: () => AksEngine;
  directory: () => Directory;
  spec: () => KubernetesSpec;
  pki: ClusterPki;
  entraKey: SigningKey;
  clock: Clock;
  log: RequestLog;
  /** When the cluster's nodes were created, for creationTimestamp and ages. */
  epochMs: number;
}

interface Answer {
  status: number;
  body: unknown;
  contentType?: string;
}

const json = (s: number, body: unknown, contentType = 'application/json'): Answer => ({
  status: s,
  body,
  contentType,
});

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function aadProfile(c: ClusterState): Record<string, unknown> | undefined {
  const p = c.extra.aadProfile;
  return isObject(p) && p.managed === true ? p : undefined;
}

export function localAccountsDisabled(c: ClusterState): boolean {
  return c.extra.disableLocalAccounts === true;
}

/** The resource a path names, with its namespace and name, or a non-resource path. */
function attributesOf(method: string, path: string, query: URLSearchParams): RequestAttributes {
  const parts = path.split('/').filter(Boolean);
  const nonResource = (): RequestAttributes => ({
    verb: method === 'GET' ? 'get' : method.toLowerCase(),
    resourceRequest: false,
    path,
    apiGroup: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
  });
  let group = '';
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) rest = parts.slice(2);
  else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else return nonResource();
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = rest;
  if (!resource) return nonResource();
  // GET /api/v1/namespaces/x is the namespace x itself.
  if (resource === 'namespaces' && namespace === '' && name) namespace = name;
  const verb =
    method === 'GET'
      ? name
        ? 'get'
        : query.get('watch') === 'true' || query.get('watch') === '1'
          ? 'watch'
          : 'list'
      : method === 'POST'
        ? 'create'
        : method === 'PUT'
          ? 'update'
          : method === 'DELETE'
            ? name
              ? 'delete'
              : 'deletecollection'
            : method.toLowerCase();
  return {
    verb,
    resourceRequest: true,
    path,
    apiGroup: group,
    resource,
    subresource,
    namespace,
    name,
  };
}

export class KubeApiServer {
  readonly server: https.Server;
  private readonly d: ApiServerDeps;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(deps: ApiServerDeps) {
    this.d = deps;
    this.server = https.createServer(
      {
        cert: deps.pki.server.certPem,
        key: deps.pki.server.keyPem,
        ca: deps.pki.caCertPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => void this.handle(req, res),
    );
    // A stopped or deleted cluster has no API server: connections are reset, as an unreachable
    // endpoint would fail. Sockets handed over by the proxy arrive through 'connection' too.
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      if (!this.reachable()) s.destroy();
    });
    this.server.on('tlsClientError', () => {
      /* a client that distrusts the cluster CA hangs up */
    });
  }

  /** Whether the API server answers: the cluster exists and is not stopped. */
  reachable(): boolean {
    const c = this.d.cluster();
    return c !== undefined && c.powerState !== 'Stopped';
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const s of this.sockets) s.destroy();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private authenticate(req: IncomingMessage, cluster: ClusterState): Promise<UserInfo | undefined> {
    const local = !localAccountsDisabled(cluster);
    const socket = req.socket as TLSSocket;
    if (local && socket.authorized) {
      const cert = socket.getPeerCertificate();
      const cn = cert?.subject?.CN;
      if (typeof cn === 'string' && cn) {
        const o: string | string[] | undefined = cert.subject.O;
        return Promise.resolve({
          username: cn,
          groups: [...(Array.isArray(o) ? o : o ? [o] : []), 'system:authenticated'],
        });
      }
    }
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return Promise.resolve(undefined);
    const token = m[1]!;
    const account = local ? this.d.pki.byToken(token) : undefined;
    if (account)
      return Promise.resolve({
        username: account.username,
        groups: [...account.groups, 'system:authenticated'],
      });
    if (!aadProfile(cluster)) return Promise.resolve(undefined);
    return this.entraUser(token);
  }

  /** A token the simulated Entra signed for the AKS server application, in this tenant, unexpired. */
  private async entraUser(token: string): Promise<UserInfo | undefined> {
    try {
      const claims = decodeJwt(token);
      await jwtVerify(token, this.d.entraKey.publicKey, {
        currentDate: new Date(this.d.clock.now()),
        clockTolerance: 0,
      });
      const aud = String(claims.aud ?? '').replace(/\/+$/, '');
      if (aud.toLowerCase() !== AKS_SERVER_APP_ID) return undefined;
      const tenant = this.d.directory().tenantId.toLowerCase();
      const str = (v: unknown): string => (typeof v === 'string' ? v : '');
      if (str(claims.tid).toLowerCase() !== tenant) return undefined;
      // AKS names service principals by object ID (bind RBAC to it) and users by UPN.
      const upn = typeof claims.upn === 'string' ? claims.upn : undefined;
      const username = claims.idtyp === 'app' || !upn ? str(claims.oid) : upn;
      if (!username) return undefined;
      const groups = Array.isArray(claims.groups) ? claims.groups.map(String) : [];
      return { username, groups: [...groups, 'system:authenticated'] };
    } catch {
      return undefined;
    }
  }

  /** Kubernetes RBAC; a cluster created with enableRBAC false lets every authenticated user in. */
  private allowed(cluster: ClusterState, user: UserInfo, attrs: RequestAttributes): boolean {
    return cluster.extra.enableRBAC === false || authorize(user, attrs, this.bindings(cluster));
  }

  /** The scenario's bindings, with principals named by displayName or appId turned into object IDs. */
  private bindings(cluster: ClusterState): Binding[] {
    const dir = this.d.directory();
    const out: Binding[] = this.d.spec().roleBindings.map((b) => {
      const principal = b.user
        ? dir.principals.find(
            (p) =>
              p.displayName === b.user ||
              p.appId.toLowerCase() === b.user!.toLowerCase() ||
              p.objectId.toLowerCase() === b.user!.toLowerCase(),
          )
        : undefined;
      return {
        ...(b.user !== undefined ? { user: principal?.objectId ?? b.user } : {}),
        ...(b.group !== undefined ? { group: b.group } : {}),
        rules: rulesOf(b.role),
        ...(b.namespace !== undefined ? { namespace: b.namespace } : {}),
      };
    });
    // AKS binds the Entra admin groups to cluster-admin (aks-cluster-admin-binding-aad).
    const admins = aadProfile(cluster)?.adminGroupObjectIDs;
    if (Array.isArray(admins))
      for (const g of admins) out.push({ group: String(g), rules: rulesOf('cluster-admin') });
    // The monitoring user reads what the portal's live data shows (aks-cluster-monitoring-user).
    out.push({
      user: 'clusterMonitoringUser',
      rules: [
        {
          apiGroups: [''],
          resources: ['pods', 'pods/log', 'events', 'nodes', 'namespaces'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: [], resources: [], verbs: ['get'], nonResourceURLs: ['/metrics'] },
      ],
    });
    return out;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const cluster = this.d.cluster();
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url ?? '/', `https://${host || '127.0.0.1'}`);
    let answer: Answer;
    let principal: string | undefined;
    let operation = `${req.method} ${url.pathname}`;
    try {
      const body = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
      });
      if (!cluster || cluster.powerState === 'Stopped') {
        req.socket.destroy();
        return;
      }
      const user = await this.authenticate(req, cluster);
      if (!user) {
        answer = json(401, status(401, 'Unauthorized', 'Unauthorized'));
      } else {
        principal = user.username;
        const attrs = attributesOf(
          req.method ?? 'GET',
          url.pathname.replace(/\/+$/, '') || '/',
          url.searchParams,
        );
        operation = attrs.resourceRequest
          ? `${attrs.verb} ${attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource}`
          : `${attrs.verb} ${attrs.path}`;
        answer = this.allowed(cluster, user, attrs)
          ? this.serve(req, url, attrs, cluster, user, body)
          : json(403, forbiddenStatus(user, attrs));
      }
    } catch (err) {
      answer = json(
        500,
        status(
          500,
          'InternalError',
          `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
    }
    this.d.log.record({
      time: new Date(this.d.clock.now()).toISOString(),
      method: req.method ?? 'GET',
      host: host || '127.0.0.1',
      path: url.pathname,
      service: 'kubernetes',
      operation,
      principal,
      ...(typeof req.headers['user-agent'] === 'string'
        ? { userAgent: req.headers['user-agent'] }
        : {}),
      status: answer.status,
      durationMs: Date.now() - started,
      dropped: false,
    });
    const payload =
      typeof answer.body === 'string'
        ? Buffer.from(answer.body)
        : Buffer.from(JSON.stringify(answer.body));
    res.writeHead(answer.status, {
      'Content-Type': answer.contentType ?? 'application/json',
      'Content-Length': String(payload.length),
      'Cache-Control': 'no-cache, private',
      'X-Kubernetes-Pf-Flowschema-Uid': '7f0e9b6c-2d4a-4c8e-9a1b-3e5f7d9b1c2a',
      'X-Kubernetes-Pf-Prioritylevel-Uid': '1a3c5e7f-9b2d-4f6a-8c0e-2b4d6f8a0c3e',
      'Audit-Id': crypto.randomUUID(),
    });
    res.end(payload);
  }

  private serve(
    req: IncomingMessage,
    url: URL,
    a: RequestAttributes,
    cluster: ClusterState,
    user: UserInfo,
    body: Buffer,
  ): Answer {
    const path = a.path;
    const method = req.method ?? 'GET';
    if (!a.resourceRequest) {
      if (method !== 'GET') return notFound();
      if (path === '/version') return json(200, versionInfo(cluster.currentKubernetesVersion));
      if (['/healthz', '/livez', '/readyz'].includes(path))
        return json(200, 'ok', 'text/plain; charset=utf-8');
      if (path === '/api') return json(200, apiVersions(`${fqdn(cluster).toLowerCase()}:443`));
      if (path === '/apis') return json(200, apiGroupList());
      if (path === '/metrics')
        return json(200, this.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
      const groupOnly = /^\/apis\/([^/]+)$/.exec(path);
      if (groupOnly) {
        const g = apiGroup(groupOnly[1]!);
        return g ? json(200, g) : notFound();
      }
      const core = /^\/api\/(v1)$/.exec(path);
      const grouped = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
      const list = core
        ? apiResourceList('', core[1]!)
        : grouped
          ? apiResourceList(grouped[1]!, grouped[2]!)
          : undefined;
      return list ? json(200, list) : notFound();
    }
    const type = RESOURCES.find((r) => r.group === a.apiGroup && r.name === a.resource);
    const version = path.startsWith('/api/') ? path.split('/')[2] : path.split('/')[3];
    if (!type || version !== type.version) return notFound();
    if (type.name === 'selfsubjectaccessreviews') {
      if (method !== 'POST') return methodNotAllowed();
      return this.accessReview(cluster, user, body, req.headers['content-type'] ?? '');
    }
    if (type.name === 'selfsubjectreviews') {
      if (method !== 'POST') return methodNotAllowed();
      // kubectl auth whoami
      return json(201, {
        kind: 'SelfSubjectReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { creationTimestamp: null },
        status: { userInfo: { username: user.username, groups: user.groups } },
      });
    }
    if (method !== 'GET' || a.verb === 'watch' || (a.subresource && a.subresource !== 'status'))
      return methodNotAllowed();
    const world = buildWorld(
      cluster,
      this.d.spec(),
      this.d.engine(),
      this.d.clock.now(),
      this.d.epochMs,
    );
    const items = itemsOf(world, type.name).filter(
      (o) => !type.namespaced || !a.namespace || o.metadata.namespace === a.namespace,
    );
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    const resourceVersion = String(10000 + (Math.floor(this.d.clock.now() / 1000) % 1000000));
    if (a.name) {
      const found = items.find((o) => o.metadata.name === a.name);
      if (!found)
        return json(
          404,
          status(
            404,
            'NotFound',
            `${type.group ? `${type.name}.${type.group}` : type.name} ${JSON.stringify(a.name)} not found`,
            {
              name: a.name,
              ...(type.group ? { group: type.group } : {}),
              kind: type.name,
            },
          ),
        );
      const object = { kind: type.kind, apiVersion, ...found };
      if (wantsTable(req.headers.accept))
        return tableAnswer(type.name, [object], resourceVersion, this.d.clock.now(), url);
      return json(200, object);
    }
    // A namespaced list in a namespace that does not exist is empty, as on a real API server.
    let selected: KubeObject[];
    try {
      selected = select(
        items,
        url.searchParams.get('labelSelector'),
        url.searchParams.get('fieldSelector'),
      );
    } catch (err) {
      return json(400, status(400, 'BadRequest', err instanceof Error ? err.message : String(err)));
    }
    if (wantsTable(req.headers.accept))
      return tableAnswer(type.name, selected, resourceVersion, this.d.clock.now(), url);
    return json(200, {
      kind: `${type.kind}List`,
      apiVersion,
      metadata: { resourceVersion },
      items: selected,
    });
  }

  private accessReview(
    cluster: ClusterState,
    user: UserInfo,
    body: Buffer,
    contentType: string,
  ): Answer {
    let spec: Record<string, unknown>;
    try {
      if (contentType.startsWith('application/vnd.kubernetes.protobuf')) {
        spec = selfSubjectAccessReviewSpec(body);
      } else {
        const review = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        spec = isObject(review.spec) ? review.spec : {};
      }
    } catch {
      return json(
        400,
        status(400, 'BadRequest', 'the request body is not a SelfSubjectAccessReview'),
      );
    }
    const ra = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
    const nra = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    const attrs: RequestAttributes = ra
      ? {
          verb: text(ra.verb),
          resourceRequest: true,
          path: '',
          apiGroup: text(ra.group),
          resource: text(ra.resource),
          subresource: text(ra.subresource),
          namespace: text(ra.namespace),
          name: text(ra.name),
        }
      : {
          verb: text(nra?.verb),
          resourceRequest: false,
          path: text(nra?.path),
          apiGroup: '',
          resource: '',
          subresource: '',
          namespace: '',
          name: '',
        };
    const allowed = this.allowed(cluster, user, attrs);
    return json(201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: { allowed, ...(allowed ? {} : { reason: '' }) },
    });
  }

  /** The API server's metrics: the deprecated APIs clients have requested, per the scenario. */
  private metrics(): string {
    const lines = [
      '# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.',
      '# TYPE apiserver_requested_deprecated_apis gauge',
    ];
    for (const d of this.d.spec().deprecatedApis) {
      lines.push(
        `apiserver_requested_deprecated_apis{group=${JSON.stringify(d.group)},removed_release=${JSON.stringify(d.removedRelease)},resource=${JSON.stringify(d.resource)},subresource=${JSON.stringify(d.subresource)},version=${JSON.stringify(d.version)}} 1`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}

function itemsOf(world: KubeWorld, resource: string): KubeObject[] {
  switch (resource) {
    case 'nodes':
      return world.nodes;
    case 'pods':
      return world.pods;
    case 'poddisruptionbudgets':
      return world.podDisruptionBudgets;
    case 'namespaces':
      return world.namespaces;
    default:
      return [];
  }
}

function tableAnswer(
  resource: string,
  items: KubeObject[],
  resourceVersion: string,
  nowMs: number,
  url: URL,
): Answer {
  return json(
    200,
    table(
      resource,
      items,
      resourceVersion,
      nowMs,
      url.searchParams.get('includeObject') ?? 'Metadata',
    ),
    'application/json;as=Table;v=v1;g=meta.k8s.io',
  );
}

function notFound(): Answer {
  return json(404, status(404, 'NotFound', 'the server could not find the requested resource', {}));
}

function methodNotAllowed(): Answer {
  return json(
    405,
    status(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
      {},
    ),
  );
}
