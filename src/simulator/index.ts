/**
 * The aks-guard simulator: Azure Resource Manager (AKS), Microsoft Entra ID, GitHub Actions OIDC,
 * the GitHub REST API and Azure DevOps (pipeline OIDC tokens, pull-request threads) on loopback over HTTPS, reachable directly (https://127.0.0.1:PORT) or
 * through a CONNECT proxy that answers for the real host names with certificates from its own CA.
 */
import { createCertificateCredential } from './identity/certificates.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Clock } from './clock.ts';
import { createCertificateAuthority } from './tls/ca.ts';
import { startSimServer, type SimServer } from './net/server.ts';
import { startProxy, type ProxyServer } from './net/proxy.ts';
import { json, type RequestContext, type SimRequest, type SimResponse } from './net/http-kit.ts';
import { FaultInjector } from './faults.ts';
import { RequestLog } from './request-log.ts';
import { SigningKey } from './identity/keys.ts';
import { EntraService, type FederationIssuer } from './identity/entra.ts';
import { ArmService } from './arm/service.ts';
import {
  GitHubOidcService,
  GITHUB_OIDC_ISSUER,
  ID_TOKEN_PATH,
  githubSubject,
  type GitHubRun,
} from './github/oidc.ts';
import { GitHubRestService, type GitHubToken } from './github/rest.ts';
import {
  AZURE_DEVOPS_HOST,
  AZURE_DEVOPS_PREFIX,
  AzureDevOpsService,
} from './azure-devops/service.ts';
import {
  azureDevOpsIssuer,
  resolveAzureDevOps,
  type AdoServiceConnection,
  type AzureDevOpsConfig,
  type PullRequestThread,
} from './azure-devops/model.ts';
import { AdminService } from './admin.ts';
import { AKS_SERVER_APP_ID } from './kube/apiserver.ts';
import { KubernetesService, type ApiServerInfo } from './kube/service.ts';
import { IMDS_PATH, MSI_PATH, ManagedIdentityService } from './identity/managed-identity.ts';
import { loadScenario } from './scenario/load.ts';
import { buildState } from './scenario/build.ts';
import type { Scenario } from './scenario/schema.ts';
import type { SimState } from './state.ts';

export const ARM_HOSTS = [
  'management.azure.com',
  'management.usgovcloudapi.net',
  'management.chinacloudapi.cn',
];
export const LOGIN_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
];
export const GITHUB_API_HOST = 'api.github.com';
export const GITHUB_OIDC_HOSTS = [
  'token.actions.githubusercontent.com',
  'pipelines.actions.githubusercontent.com',
];
export { AZURE_DEVOPS_HOST } from './azure-devops/service.ts';
/** The Azure Instance Metadata Service: plain HTTP, reachable through the proxy as an HTTP proxy. */
export const IMDS_HOST = '169.254.169.254';
const DIRECT_HOSTS = ['127.0.0.1', 'localhost'];
const GITHUB_API_PREFIX = '/api/v3';

/** Resources ARM accepts tokens for: every public and sovereign ARM audience, plus the direct endpoint. */
function armAudiences(directOrigin: string): string[] {
  const bases = [
    'https://management.azure.com',
    'https://management.core.windows.net',
    'https://management.usgovcloudapi.net',
    'https://management.core.usgovcloudapi.net',
    'https://management.chinacloudapi.cn',
    'https://management.core.chinacloudapi.cn',
    directOrigin,
  ];
  return bases.flatMap((b) => [b, `${b}/`]);
}

export interface SimulatorOptions {
  /** Scenario name (scenarios/NAME.json) or path; default "idle". */
  scenario?: string;
  /** Deep-merged over the scenario (arrays element by element), e.g. to shorten durations in a test. */
  overrides?: unknown;
  /** Fixed loopback ports; 0 or absent picks free ones. */
  port?: number;
  proxyPort?: number;
  /**
   * Simulated time (operation progress, token lifetimes, throttling refill); default: real time.
   * `Clock.frozen(Date.now())` makes time stand still except for `advance()` (and the admin API's
   * `clock/advance`), so a test decides when an operation moves on or a bucket refills instead of
   * racing the machine's speed. Kept across `reset()`.
   */
  clock?: Clock;
}

/** The simulated Azure DevOps organization and pipeline job, with its URLs in both modes. */
export interface SimAzureDevOps extends AzureDevOpsConfig {
  /** System.CollectionUri in direct mode: https://127.0.0.1:PORT/ado/{organization}/ */
  collectionUri: string;
  /** System.CollectionUri through the proxy: https://dev.azure.com/{organization}/ */
  proxyCollectionUri: string;
  /** The `iss` of the OIDC tokens: https://vstoken.dev.azure.com/{organizationId} */
  issuer: string;
  /** Pull-request threads, live (reset clears them). */
  threads: PullRequestThread[];
  /** System.OidcRequestUri (no query): direct or through the proxy. */
  oidcRequestUri(direct: boolean): string;
  /** The pull request's threads URL (no query), for pullRequestId or the scenario's pull request. */
  threadsUri(direct: boolean, pullRequestId?: number): string;
  /**
   * The environment an Azure Pipelines agent gives a task in this job: System.* and Build.*
   * variables, System.AccessToken (SECRET_SYSTEM_ACCESSTOKEN) and the SYSTEMVSSCONNECTION
   * endpoint, and every service connection's ENDPOINT_URL_/ENDPOINT_AUTH_/ENDPOINT_DATA_ variables
   * (names contain the connection GUID, so they are not in env()).
   */
  taskEnv(options?: { direct?: boolean; readOnly?: boolean }): Record<string, string>;
  service: AzureDevOpsService;
}

export interface Simulator {
  readonly scenarioName: string;
  readonly scenario: Scenario;
  readonly state: SimState;
  readonly log: RequestLog;
  readonly faults: FaultInjector;
  readonly caCertPem: string;
  /** Path of a file holding the CA certificate (for NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE). */
  readonly caFile: string;
  readonly port: number;
  readonly proxyPort: number;
  /** Plain-HTTP port of the managed identity endpoints (IMDS, App Service, MSI_ENDPOINT). */
  readonly identityPort: number;
  /** https://127.0.0.1:PORT: ARM endpoint and Entra authority host in direct mode. */
  readonly origin: string;
  readonly proxyUrl: string;
  /** The first principal with a secret, and its secret for this run. */
  readonly servicePrincipal: { appId: string; objectId: string; secret: string; tenantId: string };
  /**
   * Gives a principal (by default the first with a secret) a new certificate credential and returns
   * its PEM (certificate and private key), as a service connection of type spnCertificate holds it.
   */
  addCertificate(appId?: string): Promise<string>;
  readonly github: {
    run: GitHubRun;
    writeToken: string;
    readToken: string;
    rest: GitHubRestService;
  };
  readonly azureDevOps: SimAzureDevOps;
  /**
   * The clusters' Kubernetes API servers (one per cluster, started on first use): reached at the
   * cluster's FQDN through the proxy, or directly at `direct`.
   */
  readonly kubernetes: {
    /** A cluster's API server (default: the first cluster), started if it is not running. */
    apiServer(resourceGroup?: string, name?: string): Promise<ApiServerInfo>;
    list(): Promise<ApiServerInfo[]>;
    service: KubernetesService;
  };
  /** Environment to export: default endpoints through the proxy, plus the direct endpoints. */
  env(): Record<string, string>;
  /** Moves simulated time forward. */
  advance(seconds: number): void;
  /** Rebuilds state from a scenario, keeping ports, CA and keys. */
  reset(scenario?: string, overrides?: unknown): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  let scenarioName = options.scenario ?? 'idle';
  let scenario = loadScenario(scenarioName, options.overrides);
  const clock = options.clock ?? new Clock();
  const log = new RequestLog();
  const faults = new FaultInjector(scenario.seed);
  const [entraKey, githubKey, adoKey] = await Promise.all([
    SigningKey.create(),
    SigningKey.create(),
    SigningKey.create(),
  ]);
  const ca = await createCertificateAuthority();
  const leaf = await ca.issueServerCertificate([
    ...ARM_HOSTS,
    ...LOGIN_HOSTS,
    GITHUB_API_HOST,
    ...GITHUB_OIDC_HOSTS,
    AZURE_DEVOPS_HOST,
    'localhost',
    '127.0.0.1',
  ]);
  // Built before anything is written to disk: a scenario that does not build leaves nothing behind.
  let built = buildState(scenario, clock);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-sim-'));
  const caFile = path.join(tmp, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  const requestToken = randomBytes(24).toString('base64url');
  const writeToken = `ghs_${randomBytes(18).toString('base64url')}`;
  const readToken = `ghs_${randomBytes(18).toString('base64url')}`;
  const runOf = (s: Scenario): GitHubRun => {
    const g = s.github ?? {
      repository: 'contoso/platform',
      ref: 'refs/heads/main',
      eventName: 'push',
      actor: 'octocat',
      oidcTokenLifetimeSeconds: 300,
      tokens: [],
    };
    return {
      repository: g.repository,
      repositoryId: 700000001,
      ownerId: 90000001,
      ref: g.ref,
      sha: 'a'.repeat(40),
      eventName: g.eventName,
      ...(g.environment ? { environment: g.environment } : {}),
      ...(g.pullRequest ? { pullRequest: g.pullRequest } : {}),
      actor: g.actor,
      workflow: 'deploy',
      runId: 9000000001,
      requestToken,
      tokenLifetimeSeconds: g.oidcTokenLifetimeSeconds,
    };
  };
  let run = runOf(scenario);
  const tokens = (): GitHubToken[] => [
    { token: writeToken, permission: 'write', login: 'github-actions[bot]' },
    { token: readToken, permission: 'read', login: 'github-actions[bot]' },
    ...(scenario.github?.tokens ?? []),
  ];

  // System.AccessToken of the job (and a read-only one): JWTs, as Azure DevOps issues them.
  const jobToken = async (): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return adoKey.sign({
      nameid: randomUUID(),
      scp: 'app_token',
      aui: randomUUID(),
      sid: randomUUID(),
      iss: 'app.vstoken.visualstudio.com',
      aud: 'app.vstoken.visualstudio.com|vso:00000000-0000-0000-0000-000000000000',
      nbf: now,
      exp: now + 2 * 86400,
    });
  };
  const adoTokens = { accessToken: await jobToken(), readToken: await jobToken() };
  let ado = resolveAzureDevOps(scenario, built.state.directory, built.secrets, adoTokens);

  let directOrigin = '';
  const federation: FederationIssuer[] = [
    { issuer: GITHUB_OIDC_ISSUER, key: githubKey },
    { issuer: azureDevOpsIssuer(ado.organizationId), key: adoKey },
  ];
  const entra = new EntraService({
    clock,
    get directory() {
      return built.state.directory;
    },
    key: entraKey,
    // Microsoft Graph too, so a token for the wrong audience can be obtained and refused by ARM.
    resources: () => [
      ...armAudiences(directOrigin),
      'https://graph.microsoft.com/',
      '00000003-0000-0000-c000-000000000000',
      // The AKS server application: what kubelogin asks tokens for (Entra ID clusters).
      AKS_SERVER_APP_ID,
    ],
    federation,
    tokenLifetimeSeconds: () => built.state.settings.tokenLifetimeSeconds,
  });
  const arm = new ArmService({
    get state() {
      return built.state;
    },
    key: entraKey,
    audiences: () => armAudiences(directOrigin),
    authority: (req) =>
      DIRECT_HOSTS.includes(req.host) ? req.origin : `https://${loginHostFor(req.host)}`,
  });
  const githubOidc = new GitHubOidcService(clock, githubKey, () => run);
  const kubernetes = new KubernetesService({
    state: () => built.state,
    scenario: () => scenario,
    entraKey,
    clock,
    log,
  });
  built.state.kubernetes = kubernetes;
  const managedIdentity = new ManagedIdentityService(
    () => built.state.directory,
    entra,
    randomBytes(16).toString('hex'),
  );
  const githubRest = new GitHubRestService(
    clock,
    tokens,
    () => [run.repository],
    GITHUB_API_PREFIX,
  );

  const azureDevOps = new AzureDevOpsService(clock, adoKey, () => ado);
  azureDevOps.load(scenario.azureDevOps?.threads ?? []);
  const adoCollection = (direct: boolean): string =>
    direct
      ? `${directOrigin}${AZURE_DEVOPS_PREFIX}/${ado.organization}/`
      : `https://${AZURE_DEVOPS_HOST}/${ado.organization}/`;
  const adoOidcUri = (direct: boolean): string =>
    `${adoCollection(direct)}${ado.projectId}/_apis/distributedtask/hubs/${ado.hostType}/plans/${ado.planId}/jobs/${ado.jobId}/oidctoken`;
  const adoConnection = (): AdoServiceConnection | undefined =>
    ado.serviceConnections.find((c) => c.scheme === 'WorkloadIdentityFederation') ??
    ado.serviceConnections[0];
  /** The job's public System.* and Build.* variables, as environment variables. */
  const adoJobVariables = (direct: boolean): Record<string, string> => ({
    SYSTEM_COLLECTIONURI: adoCollection(direct),
    SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: adoCollection(direct),
    SYSTEM_COLLECTIONID: ado.organizationId,
    SYSTEM_TEAMPROJECT: ado.project,
    SYSTEM_TEAMPROJECTID: ado.projectId,
    SYSTEM_PLANID: ado.planId,
    SYSTEM_JOBID: ado.jobId,
    SYSTEM_HOSTTYPE: ado.hostType,
    SYSTEM_OIDCREQUESTURI: adoOidcUri(direct),
    BUILD_REPOSITORY_ID: ado.repositoryId,
    BUILD_REPOSITORY_NAME: ado.repository,
    ...(ado.pullRequestId !== undefined
      ? { SYSTEM_PULLREQUEST_PULLREQUESTID: String(ado.pullRequestId) }
      : {}),
  });
  /** The variables the agent gives a task (see SimAzureDevOps.taskEnv). */
  const adoTaskEnv = (direct: boolean, readOnly: boolean): Record<string, string> => {
    const collection = adoCollection(direct);
    const token = readOnly ? ado.readToken : ado.accessToken;
    const sub = built.state.subscriptions[0]!;
    const env: Record<string, string> = {
      TF_BUILD: 'True',
      ...adoJobVariables(direct),
      SYSTEM_TEAMFOUNDATIONSERVERURI: collection,
      BUILD_REPOSITORY_PROVIDER: 'TfsGit',
      BUILD_REASON: ado.pullRequestId !== undefined ? 'PullRequest' : 'IndividualCI',
      SECRET_SYSTEM_ACCESSTOKEN: token,
      ENDPOINT_URL_SYSTEMVSSCONNECTION: collection,
      ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({
        parameters: { AccessToken: token },
        scheme: 'OAuth',
      }),
      ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION: 'OAuth',
      ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: token,
    };
    for (const c of ado.serviceConnections) {
      const parameters: Record<string, string> = { tenantid: c.tenantId };
      if (c.scheme !== 'ManagedServiceIdentity') parameters.serviceprincipalid = c.principal;
      if (c.scheme === 'ServicePrincipal') {
        parameters.authenticationType = 'spnKey';
        parameters.serviceprincipalkey = built.secrets.get(c.principal) ?? '';
      }
      if (c.scheme === 'WorkloadIdentityFederation') {
        parameters.workloadIdentityFederationIssuer = c.issuer;
        parameters.workloadIdentityFederationSubject = c.subject;
      }
      env[`ENDPOINT_URL_${c.id}`] = direct ? `${directOrigin}/` : `https://${ARM_HOSTS[0]}/`;
      env[`ENDPOINT_AUTH_${c.id}`] = JSON.stringify({ parameters, scheme: c.scheme });
      env[`ENDPOINT_AUTH_SCHEME_${c.id}`] = c.scheme;
      for (const [k, v] of Object.entries(parameters))
        env[`ENDPOINT_AUTH_PARAMETER_${c.id}_${k.toUpperCase()}`] = v;
      Object.assign(env, {
        [`ENDPOINT_DATA_${c.id}_SUBSCRIPTIONID`]: sub.id,
        [`ENDPOINT_DATA_${c.id}_SUBSCRIPTIONNAME`]: sub.displayName,
        [`ENDPOINT_DATA_${c.id}_ENVIRONMENT`]: 'AzureCloud',
        [`ENDPOINT_DATA_${c.id}_SCOPELEVEL`]: 'Subscription',
        ...(direct
          ? { [`ENDPOINT_DATA_${c.id}_ACTIVEDIRECTORYAUTHORITY`]: `${directOrigin}/` }
          : {}),
      });
    }
    return env;
  };

  // Assigned once listening; the getters below only run after that.
  const net: { server?: SimServer; identity?: SimServer; proxy?: ProxyServer } = {};

  const sim: Simulator = {
    get scenarioName() {
      return scenarioName;
    },
    get scenario() {
      return scenario;
    },
    get state() {
      return built.state;
    },
    log,
    faults,
    caCertPem: ca.certPem,
    caFile,
    get port() {
      return net.server!.port;
    },
    get proxyPort() {
      return net.proxy!.port;
    },
    get identityPort() {
      return net.identity!.port;
    },
    get origin() {
      return directOrigin;
    },
    get proxyUrl() {
      return `http://127.0.0.1:${net.proxy!.port}`;
    },
    async addCertificate(appId) {
      const p = built.state.directory.principals.find((x) =>
        appId ? x.appId === appId : built.secrets.has(x.appId),
      );
      if (!p)
        throw new Error(`No principal ${appId ?? 'with a secret'} in scenario ${scenarioName}.`);
      const { credential, pem } = await createCertificateCredential(p.displayName);
      (p.certificates ??= []).push(credential);
      return pem;
    },
    get servicePrincipal() {
      const p = built.state.directory.principals.find((x) => built.secrets.has(x.appId));
      if (!p)
        throw new Error(`Scenario ${scenarioName} defines no service principal with a secret.`);
      return {
        appId: p.appId,
        objectId: p.objectId,
        secret: built.secrets.get(p.appId)!,
        tenantId: built.state.directory.tenantId,
      };
    },
    get github() {
      return { run, writeToken, readToken, rest: githubRest };
    },
    kubernetes: {
      async apiServer(resourceGroup, name) {
        const c = [...built.state.clusters.values()].find(
          (x) =>
            (resourceGroup === undefined ||
              x.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()) &&
            (name === undefined || x.name.toLowerCase() === name.toLowerCase()),
        );
        if (!c)
          throw new Error(`No cluster ${resourceGroup ?? ''}/${name ?? ''} in ${scenarioName}.`);
        return kubernetes.info(c);
      },
      list: () => kubernetes.list(),
      service: kubernetes,
    },
    get azureDevOps() {
      return {
        ...ado,
        collectionUri: adoCollection(true),
        proxyCollectionUri: adoCollection(false),
        issuer: azureDevOpsIssuer(ado.organizationId),
        threads: azureDevOps.threads,
        oidcRequestUri: adoOidcUri,
        threadsUri: (direct: boolean, pullRequestId?: number) => {
          const pr = pullRequestId ?? ado.pullRequestId;
          if (pr === undefined)
            throw new Error('No pull request: give one, or set azureDevOps.pullRequestId.');
          return `${adoCollection(direct)}${ado.project}/_apis/git/repositories/${ado.repositoryId}/pullRequests/${pr}/threads`;
        },
        taskEnv: (options: { direct?: boolean; readOnly?: boolean } = {}) =>
          adoTaskEnv(options.direct ?? true, options.readOnly ?? false),
        service: azureDevOps,
      };
    },
    env() {
      const first = [...built.state.clusters.values()][0];
      const sp = built.state.directory.principals.find((x) => built.secrets.has(x.appId));
      const env: Record<string, string> = {
        HTTPS_PROXY: sim.proxyUrl,
        NODE_EXTRA_CA_CERTS: caFile,
        REQUESTS_CA_BUNDLE: caFile,
        AZURE_TENANT_ID: built.state.directory.tenantId,
        AZURE_SUBSCRIPTION_ID: built.state.subscriptions[0]!.id,
      };
      if (sp) {
        env.AZURE_CLIENT_ID = sp.appId;
        env.AZURE_CLIENT_SECRET = built.secrets.get(sp.appId)!;
      }
      if (first) {
        env.AZURE_SUBSCRIPTION_ID = first.subscriptionId;
        env.AKS_RESOURCE_GROUP = first.resourceGroup;
        env.AKS_CLUSTER_NAME = first.name;
      }
      Object.assign(env, {
        ACTIONS_ID_TOKEN_REQUEST_URL: `https://${GITHUB_OIDC_HOSTS[1]}${ID_TOKEN_PATH}?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
        GITHUB_REPOSITORY: run.repository,
        GITHUB_TOKEN: writeToken,
        AKS_SIM_OIDC_SUBJECT: githubSubject(run),
        AKS_SIM_ARM_ENDPOINT: directOrigin,
        AKS_SIM_AUTHORITY_HOST: directOrigin,
        AKS_SIM_GITHUB_API_URL: `${directOrigin}${GITHUB_API_PREFIX}`,
        AKS_SIM_ID_TOKEN_REQUEST_URL: `${directOrigin}${ID_TOKEN_PATH}?api-version=2.0`,
        AKS_SIM_ADMIN_URL: `${directOrigin}/_sim`,
        // Managed identity: AZURE_POD_IDENTITY_AUTHORITY_HOST for @azure/identity's IMDS source,
        // MSI_ENDPOINT for the az CLI, IDENTITY_ENDPOINT + IDENTITY_HEADER (App Service style).
        AKS_SIM_IMDS_ENDPOINT: `http://127.0.0.1:${net.identity!.port}`,
        AKS_SIM_MSI_ENDPOINT: `http://127.0.0.1:${net.identity!.port}${MSI_PATH}`,
        AKS_SIM_IDENTITY_HEADER: managedIdentity.identityHeader,
      });
      // Azure Pipelines: the job's System.* variables with the default endpoints (through the
      // proxy), and the direct ones. Service connection ENDPOINT_* names hold a GUID, which a
      // shell cannot export: see azureDevOps.taskEnv().
      const connection = adoConnection();
      Object.assign(env, {
        ...adoJobVariables(false),
        SYSTEM_ACCESSTOKEN: ado.accessToken,
        AKS_SIM_ADO_COLLECTION_URI: adoCollection(true),
        AKS_SIM_ADO_OIDC_REQUEST_URI: adoOidcUri(true),
        AKS_SIM_ADO_READ_TOKEN: ado.readToken,
        AKS_SIM_ADO_OIDC_ISSUER: azureDevOpsIssuer(ado.organizationId),
        ...(connection
          ? {
              AKS_SIM_ADO_SERVICE_CONNECTION_ID: connection.id,
              AKS_SIM_ADO_SERVICE_CONNECTION_NAME: connection.name,
              AKS_SIM_ADO_OIDC_SUBJECT: connection.subject,
            }
          : {}),
      });
      return env;
    },
    advance(seconds) {
      clock.advance(seconds * 1000);
    },
    async reset(name, overrides) {
      const next = name ?? scenarioName;
      const loaded = loadScenario(next, overrides);
      // The credentials stay what they were (generated secrets, added certificates), so a client
      // that read them before the reset is still signed in after it.
      const nextBuilt = buildState(loaded, clock, { secrets: built.secrets });
      for (const p of nextBuilt.state.directory.principals) {
        const before = built.state.directory.principals.find((x) => x.appId === p.appId);
        if (before?.certificates) p.certificates = [...before.certificates];
      }
      ado = resolveAzureDevOps(loaded, nextBuilt.state.directory, nextBuilt.secrets, adoTokens);
      federation[1] = { issuer: azureDevOpsIssuer(ado.organizationId), key: adoKey };
      azureDevOps.load(loaded.azureDevOps?.threads ?? []);
      built = nextBuilt;
      built.state.kubernetes = kubernetes;
      scenario = loaded;
      scenarioName = next;
      run = runOf(loaded);
      faults.clear();
      for (const f of loaded.faults) faults.add(f);
      githubRest.comments.length = 0;
    },
    async stop() {
      try {
        await Promise.all([
          net.proxy?.close(),
          net.server?.close(),
          net.identity?.close(),
          kubernetes.close(),
        ]);
      } finally {
        // The CA file's folder goes whatever a listener did on the way down.
        rmSync(tmp, { recursive: true, force: true });
      }
    },
  };

  const admin = new AdminService({
    state: () => built.state,
    log,
    faults,
    reset: (name) => sim.reset(name),
    azureDevOps: () => ({
      collectionUri: adoCollection(true),
      proxyCollectionUri: adoCollection(false),
      organization: ado.organization,
      organizationId: ado.organizationId,
      project: ado.project,
      projectId: ado.projectId,
      repository: ado.repository,
      repositoryId: ado.repositoryId,
      planId: ado.planId,
      jobId: ado.jobId,
      hostType: ado.hostType,
      pullRequestId: ado.pullRequestId,
      oidcRequestUri: adoOidcUri(true),
      issuer: azureDevOpsIssuer(ado.organizationId),
      serviceConnections: ado.serviceConnections,
      threads: azureDevOps.threads,
    }),
    info: () => ({
      scenario: scenarioName,
      description: scenario.description,
      time: clock.iso(),
      endpoints: {
        direct: directOrigin,
        proxy: sim.proxyUrl,
        githubApi: `${directOrigin}${GITHUB_API_PREFIX}`,
        azureDevOps: adoCollection(true),
        admin: `${directOrigin}/_sim`,
      },
    }),
  });

  const dispatch = (req: SimRequest, ctx: RequestContext): Promise<SimResponse> | SimResponse => {
    const h = req.host;
    if (ARM_HOSTS.includes(h)) return arm.handle(req, ctx);
    if (LOGIN_HOSTS.includes(h)) return entra.handle(req, ctx);
    if (h === GITHUB_API_HOST) return githubRest.handle(req, ctx);
    if (GITHUB_OIDC_HOSTS.includes(h)) return githubOidc.handle(req, ctx);
    if (h === AZURE_DEVOPS_HOST) return azureDevOps.handle(req, ctx);
    if (h === IMDS_HOST) return managedIdentity.handle(req, ctx);
    if (!DIRECT_HOSTS.includes(h)) {
      ctx.service = 'unknown-host';
      return json(421, {
        error: { code: 'MisdirectedRequest', message: `The simulator does not serve host ${h}.` },
      });
    }
    const p = req.url.pathname;
    const first = p.split('/')[1]?.toLowerCase() ?? '';
    if (first === '_sim' && /^\/_sim\/kubernetes\/?$/i.test(p))
      return kubernetes.handleAdmin(req, ctx);
    if (first === '_sim') return admin.handle(req, ctx);
    if (first === '_apis') return githubOidc.handle(req, ctx);
    if (first === AZURE_DEVOPS_PREFIX.slice(1)) return azureDevOps.handle(req, ctx);
    if (p.startsWith(IMDS_PATH) || p.startsWith(MSI_PATH)) return managedIdentity.handle(req, ctx);
    if (p.startsWith(`${GITHUB_API_PREFIX}/`)) return githubRest.handle(req, ctx);
    if (['subscriptions', 'providers', 'tenants'].includes(first)) return arm.handle(req, ctx);
    if (first === '') {
      ctx.service = 'index';
      return json(200, indexDocument());
    }
    return entra.handle(req, ctx);
  };
  const indexDocument = (): Record<string, unknown> => ({
    service: 'aks-guard simulator',
    scenario: scenarioName,
    arm: directOrigin,
    authorityHost: directOrigin,
    githubApi: `${directOrigin}${GITHUB_API_PREFIX}`,
    azureDevOps: adoCollection(true),
    admin: `${directOrigin}/_sim`,
  });

  for (const f of scenario.faults) faults.add(f);
  const common = {
    dispatch: (req: SimRequest, ctx: RequestContext) => dispatch(req, ctx),
    faults,
    log,
    clock,
    internalError: (_req: SimRequest | undefined, message: string): SimResponse => ({
      status: 500,
      body: {
        error: {
          code: 'InternalServerError',
          message: `The simulator failed to process the request: ${message}`,
        },
      },
    }),
  };
  const server = await startSimServer(
    { ...common, tls: { certPem: leaf.certPem, keyPem: leaf.keyPem } },
    options.port ?? 0,
  );
  net.server = server;
  directOrigin = `https://127.0.0.1:${server.port}`;
  net.identity = await startSimServer(common, 0);
  net.proxy = await startProxy({
    target: server.server,
    plainTarget: net.identity.server,
    // The real host names on 443, and the simulator's own direct address (so a client with
    // HTTPS_PROXY set can still reach the direct endpoints and the admin API).
    isSimulated: (host, port) =>
      (port === 443 &&
        (ARM_HOSTS.includes(host) ||
          LOGIN_HOSTS.includes(host) ||
          host === GITHUB_API_HOST ||
          host === AZURE_DEVOPS_HOST ||
          GITHUB_OIDC_HOSTS.includes(host))) ||
      (DIRECT_HOSTS.includes(host) && port === server.port),
    isSimulatedPlain: (host) => host === IMDS_HOST,
    // A cluster's FQDN on 443 reaches its own Kubernetes API server (while it runs).
    resolveTarget: async (host, port) => {
      const api = await kubernetes.serverForHost(host, port);
      return api?.reachable() ? api.server : undefined;
    },
    log,
    clock,
    port: options.proxyPort ?? 0,
  });
  return sim;
}

function loginHostFor(armHost: string): string {
  if (armHost.endsWith('usgovcloudapi.net')) return 'login.microsoftonline.us';
  if (armHost.endsWith('chinacloudapi.cn')) return 'login.chinacloudapi.cn';
  return 'login.microsoftonline.com';
}

export { loadScenario, listScenarios, ScenarioError } from './scenario/load.ts';
export type { Scenario } from './scenario/schema.ts';
export type {
  AdoComment,
  AdoServiceConnection,
  AzureDevOpsConfig,
  PullRequestThread,
} from './azure-devops/model.ts';
