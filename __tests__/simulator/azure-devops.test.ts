/**
 * Azure DevOps: the job's OIDC token endpoint (System.OidcRequestUri) as AzurePipelinesCredential
 * calls it, Entra's federation with the Azure DevOps issuer, and the pull-request threads API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { AzurePipelinesCredential, ClientAssertionCredential } from '@azure/identity';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { decodeJwt } from 'jose';
import type { Simulator } from '../../src/simulator/index.ts';
import { admin, aksClient, firstCluster, simulator, FAST } from '../helpers/simulator.ts';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/** A request to an Azure DevOps URL (absolute, direct mode), with the job's access token by default. */
async function ado(
  sim: Simulator,
  method: string,
  url: string,
  opts: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const token = opts.token === undefined ? sim.azureDevOps.accessToken : opts.token;
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // HTML: tests look at `text`
  }
  return { status: res.status, headers: res.headers, text, body };
}

function oidcUrl(sim: Simulator, serviceConnectionId: string, direct = true): string {
  return `${sim.azureDevOps.oidcRequestUri(direct)}?api-version=7.1&serviceConnectionId=${serviceConnectionId}`;
}

function defaultConnection(sim: Simulator) {
  return sim.azureDevOps.serviceConnections[0]!;
}

/** AzurePipelinesCredential as a task builds it, with SYSTEM_OIDCREQUESTURI set for the call. */
function pipelinesCredential(
  sim: Simulator,
  opts: { accessToken?: string; connectionId?: string; appId?: string } = {},
): AzurePipelinesCredential {
  const c = defaultConnection(sim);
  return new AzurePipelinesCredential(
    c.tenantId,
    opts.appId ?? c.principal,
    opts.connectionId ?? c.id,
    opts.accessToken ?? sim.azureDevOps.accessToken,
    { authorityHost: sim.origin, disableInstanceDiscovery: true },
  );
}

const ARM_SCOPE = 'https://management.azure.com/.default';
const previousOidcUri = process.env.SYSTEM_OIDCREQUESTURI;
afterEach(() => {
  if (previousOidcUri === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
  else process.env.SYSTEM_OIDCREQUESTURI = previousOidcUri;
});

describe('Azure DevOps OIDC tokens and workload identity federation', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
  });
  afterAll(() => sim.stop());

  test('AzurePipelinesCredential gets an ARM token end to end and the AKS SDK reads the cluster with it', async () => {
    process.env.SYSTEM_OIDCREQUESTURI = sim.azureDevOps.oidcRequestUri(true);
    const since = sim.log.lastSeq;
    const cred = pipelinesCredential(sim);
    const c = firstCluster(sim);
    const mc = await aksClient(sim, cred).managedClusters.get(c.resourceGroup, c.name);
    expect(mc.name).toBe(c.name);
    const entries = sim.log.list(since);
    expect(entries.map((e) => [e.service, e.operation, e.status])).toEqual(
      expect.arrayContaining([
        ['azure-devops', 'AzureDevOps_OidcToken', 200],
        ['entra', 'Entra_Token', 200],
        ['arm', 'ManagedClusters_Get', 200],
      ]),
    );
    const oidc = entries.find((e) => e.operation === 'AzureDevOps_OidcToken')!;
    expect(oidc).toMatchObject({
      method: 'POST',
      host: '127.0.0.1',
      apiVersion: '7.1',
      principal: 'Project Collection Build Service (contoso)',
    });
    expect(oidc.path).toBe(
      `/ado/contoso/${sim.azureDevOps.projectId}/_apis/distributedtask/hubs/build/plans/${sim.azureDevOps.planId}/jobs/${sim.azureDevOps.jobId}/oidctoken`,
    );
    const claims = decodeJwt((await cred.getToken(ARM_SCOPE)).token);
    expect(claims).toMatchObject({ appid: defaultConnection(sim).principal, appidacr: '2' });
  });

  test('the same through the proxy with the default endpoints (dev.azure.com, login.microsoftonline.com, management.azure.com)', async () => {
    process.env.SYSTEM_OIDCREQUESTURI = sim.env().SYSTEM_OIDCREQUESTURI!;
    expect(process.env.SYSTEM_OIDCREQUESTURI).toBe(
      `https://dev.azure.com/contoso/${sim.azureDevOps.projectId}/_apis/distributedtask/hubs/build/plans/${sim.azureDevOps.planId}/jobs/${sim.azureDevOps.jobId}/oidctoken`,
    );
    const proxyOptions = { host: 'http://127.0.0.1', port: sim.proxyPort };
    const c = defaultConnection(sim);
    const cred = new AzurePipelinesCredential(
      c.tenantId,
      c.principal,
      sim.env().AKS_SIM_ADO_SERVICE_CONNECTION_ID!,
      sim.env().SYSTEM_ACCESSTOKEN!,
      { proxyOptions },
    );
    const since = sim.log.lastSeq;
    const cluster = firstCluster(sim);
    const client = new ContainerServiceClient(cred, cluster.subscriptionId, { proxyOptions });
    const mc = await client.managedClusters.get(cluster.resourceGroup, cluster.name);
    expect(mc.name).toBe(cluster.name);
    const seen = new Set(sim.log.list(since).map((e) => `${e.host} ${e.operation ?? ''}`));
    for (const h of [
      'dev.azure.com AzureDevOps_OidcToken',
      'login.microsoftonline.com Entra_Token',
      'management.azure.com ManagedClusters_Get',
    ])
      expect(seen).toContain(h);
  });

  test('the OIDC token: Azure DevOps issuer and service connection subject, 10 minutes', async () => {
    const r = await ado(sim, 'POST', oidcUrl(sim, defaultConnection(sim).id), {
      headers: { 'X-TFS-FedAuthRedirect': 'Suppress' },
    });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body as object)).toEqual(['oidcToken']);
    expect(r.headers.get('x-vss-e2eid')).toMatch(/^[0-9a-f-]{36}$/);
    const token = (r.body as { oidcToken: string }).oidcToken;
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iss: `https://vstoken.dev.azure.com/${sim.azureDevOps.organizationId}`,
      sub: 'sc://contoso/platform/aks-prod',
      aud: 'api://AzureADTokenExchange',
      iat: expect.any(Number),
      nbf: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(sim.azureDevOps.issuer).toBe(claims.iss);
    expect(sim.env()).toMatchObject({
      AKS_SIM_ADO_OIDC_ISSUER: claims.iss,
      AKS_SIM_ADO_OIDC_SUBJECT: claims.sub,
    });
  });

  test('a wrong or missing access token: 401 with an HTML page (203 sign-in page without X-TFS-FedAuthRedirect: Suppress)', async () => {
    const url = oidcUrl(sim, defaultConnection(sim).id);
    const suppress = { 'X-TFS-FedAuthRedirect': 'Suppress' };
    const since = sim.log.lastSeq;
    for (const token of ['not-the-access-token', null]) {
      const r = await ado(sim, 'POST', url, { token, headers: suppress });
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(r.body).toBeUndefined();
    }
    const signIn = await ado(sim, 'POST', url, { token: 'nope' });
    expect([signIn.status, signIn.headers.get('content-type')]).toEqual([
      203,
      'text/html; charset=utf-8',
    ]);
    expect(signIn.text).toContain('Sign In');
    expect(sim.log.list(since).map((e) => [e.operation, e.status])).toEqual([
      ['AzureDevOps_OidcToken', 401],
      ['AzureDevOps_OidcToken', 401],
      ['AzureDevOps_OidcToken', 203],
    ]);

    process.env.SYSTEM_OIDCREQUESTURI = sim.azureDevOps.oidcRequestUri(true);
    const err = await pipelinesCredential(sim, { accessToken: 'not-the-access-token' })
      .getToken(ARM_SCOPE)
      .catch((e: unknown) => e as { statusCode?: number; message: string });
    expect(err).toMatchObject({ statusCode: 401 });
    expect(String((err as Error).message)).toContain(
      'oidcToken field not detected in the response',
    );
  });

  test('an unknown service connection, plan, job or project: 404 in the Azure DevOps error shape', async () => {
    const r = await ado(sim, 'POST', oidcUrl(sim, '11111111-2222-3333-4444-555555555555'));
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      $id: '1',
      innerException: null,
      message: expect.stringContaining('11111111-2222-3333-4444-555555555555'),
      typeName: expect.stringMatching(/^Microsoft\.TeamFoundation\.\S+Exception, \S+$/),
      typeKey: 'ServiceEndpointNotFoundException',
      errorCode: 0,
      eventId: 3000,
    });
    const id = defaultConnection(sim).id;
    const a = sim.azureDevOps;
    const wrong = '99999999-8888-4777-8666-555555555555';
    const cases: [string, string][] = [
      [a.oidcRequestUri(true).replace(a.planId, wrong), 'TaskOrchestrationPlanNotFoundException'],
      [a.oidcRequestUri(true).replace(a.jobId, wrong), 'TaskOrchestrationJobNotFoundException'],
      [
        a.oidcRequestUri(true).replace('/hubs/build/', '/hubs/release/'),
        'TaskOrchestrationPlanNotFoundException',
      ],
      [a.oidcRequestUri(true).replace(a.projectId, wrong), 'ProjectDoesNotExistWithNameException'],
    ];
    for (const [url, typeKey] of cases) {
      const x = await ado(sim, 'POST', `${url}?api-version=7.1&serviceConnectionId=${id}`);
      expect([x.status, (x.body as { typeKey: string }).typeKey]).toEqual([404, typeKey]);
    }
    // The project may be named instead of identified, in any case.
    const byName = a.oidcRequestUri(true).replace(a.projectId, 'PLATFORM');
    expect(
      (await ado(sim, 'POST', `${byName}?api-version=7.1&serviceConnectionId=${id}`)).status,
    ).toBe(200);
    expect((await ado(sim, 'GET', oidcUrl(sim, id))).status).toBe(405);
  });

  test('a token for a service connection no federated credential matches: AADSTS70021 naming issuer, subject and audience', async () => {
    await sim.reset('idle', {
      ...FAST,
      azureDevOps: { serviceConnections: [{ name: 'aks-staging' }] },
    });
    try {
      process.env.SYSTEM_OIDCREQUESTURI = sim.azureDevOps.oidcRequestUri(true);
      const err = await pipelinesCredential(sim)
        .getToken(ARM_SCOPE)
        .catch((e: unknown) => e);
      expect(String(err)).toContain(
        `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://vstoken.dev.azure.com/${sim.azureDevOps.organizationId}'. Assertion Subject: 'sc://contoso/platform/aks-staging'. Assertion Audience: 'api://AzureADTokenExchange'.`,
      );
    } finally {
      await sim.reset('idle', FAST);
    }
  });

  test('a connection whose principal trusts no Azure DevOps issuer: AADSTS700211', async () => {
    const reader = sim.state.directory.principals.find(
      (p) => p.displayName === 'aks-guard-reader',
    )!;
    await sim.reset('idle', {
      ...FAST,
      azureDevOps: { serviceConnections: [{ principal: reader.appId }] },
    });
    try {
      process.env.SYSTEM_OIDCREQUESTURI = sim.azureDevOps.oidcRequestUri(true);
      const err = await pipelinesCredential(sim)
        .getToken(ARM_SCOPE)
        .catch((e: unknown) => e);
      expect(String(err)).toContain('AADSTS700211');
    } finally {
      await sim.reset('idle', FAST);
    }
  });

  test('an Azure DevOps token used after its 10 minutes: AADSTS700024; AzurePipelinesCredential asks for a fresh one each time', async () => {
    const r = await ado(sim, 'POST', oidcUrl(sim, defaultConnection(sim).id));
    const assertion = (r.body as { oidcToken: string }).oidcToken;
    sim.advance(601);
    const c = defaultConnection(sim);
    const stale = new ClientAssertionCredential(c.tenantId, c.principal, async () => assertion, {
      authorityHost: sim.origin,
      disableInstanceDiscovery: true,
    });
    const err = await stale.getToken(ARM_SCOPE).catch((e: unknown) => e);
    expect(String(err)).toContain(
      'AADSTS700024: Client assertion is not within its valid time range.',
    );

    process.env.SYSTEM_OIDCREQUESTURI = sim.azureDevOps.oidcRequestUri(true);
    const cred = pipelinesCredential(sim);
    await expect(cred.getToken(ARM_SCOPE)).resolves.toMatchObject({ token: expect.any(String) });
    sim.advance(601);
    const since = sim.log.lastSeq;
    await expect(
      cred.getToken('https://management.core.windows.net//.default'),
    ).resolves.toMatchObject({ token: expect.any(String) });
    // A fresh OIDC token for the new Entra request (MSAL may ask its callback more than once).
    expect(sim.log.counts(since)['AzureDevOps_OidcToken']).toBeGreaterThanOrEqual(1);
    expect(sim.log.counts(since)['Entra_Token']).toBe(1);
  });

  test('a short lifetime from the scenario', async () => {
    await sim.reset('idle', { ...FAST, azureDevOps: { oidcTokenLifetimeSeconds: 60 } });
    try {
      const r = await ado(sim, 'POST', oidcUrl(sim, defaultConnection(sim).id));
      const claims = decodeJwt((r.body as { oidcToken: string }).oidcToken);
      expect(claims.exp! - claims.iat!).toBe(60);
    } finally {
      await sim.reset('idle', FAST);
    }
  });

  test("env() and taskEnv() give what a job's task sees", () => {
    const a = sim.azureDevOps;
    const env = sim.env();
    expect(env).toMatchObject({
      SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
      SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
      SYSTEM_TEAMPROJECT: 'platform',
      SYSTEM_TEAMPROJECTID: a.projectId,
      SYSTEM_PLANID: a.planId,
      SYSTEM_JOBID: a.jobId,
      SYSTEM_HOSTTYPE: 'build',
      SYSTEM_OIDCREQUESTURI: a.oidcRequestUri(false),
      SYSTEM_ACCESSTOKEN: a.accessToken,
      BUILD_REPOSITORY_ID: a.repositoryId,
      AKS_SIM_ADO_COLLECTION_URI: `${sim.origin}/ado/contoso/`,
      AKS_SIM_ADO_OIDC_REQUEST_URI: a.oidcRequestUri(true),
      AKS_SIM_ADO_SERVICE_CONNECTION_ID: a.serviceConnections[0]!.id,
      AKS_SIM_ADO_READ_TOKEN: a.readToken,
    });
    expect(a.collectionUri).toBe(env.AKS_SIM_ADO_COLLECTION_URI);
    expect(a.proxyCollectionUri).toBe(env.SYSTEM_COLLECTIONURI);
    expect(a.oidcRequestUri(true)).not.toContain('?');
    for (const k of Object.keys(env)) expect(k).toMatch(/^[A-Z_][A-Z0-9_]*$/);

    const c = a.serviceConnections[0]!;
    const task = a.taskEnv({ direct: true });
    expect(task).toMatchObject({
      SYSTEM_COLLECTIONURI: a.collectionUri,
      SYSTEM_OIDCREQUESTURI: a.oidcRequestUri(true),
      SECRET_SYSTEM_ACCESSTOKEN: a.accessToken,
      ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: a.accessToken,
      [`ENDPOINT_URL_${c.id}`]: `${sim.origin}/`,
      [`ENDPOINT_AUTH_SCHEME_${c.id}`]: 'WorkloadIdentityFederation',
      [`ENDPOINT_AUTH_PARAMETER_${c.id}_SERVICEPRINCIPALID`]: c.principal,
      [`ENDPOINT_AUTH_PARAMETER_${c.id}_TENANTID`]: c.tenantId,
      [`ENDPOINT_DATA_${c.id}_SUBSCRIPTIONID`]: firstCluster(sim).subscriptionId,
    });
    expect(JSON.parse(task[`ENDPOINT_AUTH_${c.id}`]!)).toEqual({
      parameters: {
        serviceprincipalid: c.principal,
        tenantid: c.tenantId,
        workloadIdentityFederationIssuer: a.issuer,
        workloadIdentityFederationSubject: 'sc://contoso/platform/aks-prod',
      },
      scheme: 'WorkloadIdentityFederation',
    });
    expect(a.taskEnv({ direct: false, readOnly: true })).toMatchObject({
      SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
      SECRET_SYSTEM_ACCESSTOKEN: a.readToken,
      [`ENDPOINT_URL_${c.id}`]: 'https://management.azure.com/',
    });
  });
});

describe('Azure DevOps service connections in the scenario', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
  });
  afterAll(() => sim.stop());

  test('service principal and managed identity connections, as the agent passes them to a task', async () => {
    const spn = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const msi = '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e';
    await sim.reset('idle', {
      ...FAST,
      azureDevOps: {
        serviceConnections: [
          {},
          { id: spn, name: 'aks-spn', scheme: 'ServicePrincipal' },
          { id: msi, name: 'aks-msi', scheme: 'ManagedServiceIdentity' },
        ],
      },
    });
    const runner = sim.state.directory.principals.find((p) => p.managedIdentity)!;
    expect(sim.azureDevOps.serviceConnections.map((c) => [c.name, c.scheme, c.principal])).toEqual([
      ['aks-prod', 'WorkloadIdentityFederation', sim.servicePrincipal.appId],
      ['aks-spn', 'ServicePrincipal', sim.servicePrincipal.appId],
      ['aks-msi', 'ManagedServiceIdentity', runner.appId],
    ]);
    const env = sim.azureDevOps.taskEnv();
    expect(JSON.parse(env[`ENDPOINT_AUTH_${spn}`]!)).toEqual({
      parameters: {
        tenantid: sim.servicePrincipal.tenantId,
        serviceprincipalid: sim.servicePrincipal.appId,
        authenticationType: 'spnKey',
        serviceprincipalkey: sim.servicePrincipal.secret,
      },
      scheme: 'ServicePrincipal',
    });
    expect(JSON.parse(env[`ENDPOINT_AUTH_${msi}`]!)).toEqual({
      parameters: { tenantid: sim.servicePrincipal.tenantId },
      scheme: 'ManagedServiceIdentity',
    });
    expect(sim.env().AKS_SIM_ADO_SERVICE_CONNECTION_NAME).toBe('aks-prod');
  });

  test('a connection naming an unknown principal, or two with one id, is a scenario error', async () => {
    await expect(
      sim.reset('idle', { azureDevOps: { serviceConnections: [{ principal: 'nobody' }] } }),
    ).rejects.toThrow(/service connection aks-prod names principal nobody/);
    await expect(
      sim.reset('idle', { azureDevOps: { serviceConnections: [{}, {}] } }),
    ).rejects.toThrow(/Two Azure DevOps service connections have the id/);
    await expect(sim.reset('idle', { azureDevOps: { projectId: 'not-a-guid' } })).rejects.toThrow(
      /azureDevOps\.projectId/,
    );
    // The simulator keeps the scenario it had.
    expect(sim.azureDevOps.serviceConnections).toHaveLength(3);
  });
});

describe('Azure DevOps pull-request threads', () => {
  let sim: Simulator;
  const overrides = {
    ...FAST,
    azureDevOps: {
      pullRequestId: 42,
      threads: [{ content: 'Please double-check the node pool sizes.', author: 'Megan Bowen' }],
    },
  };
  beforeAll(async () => {
    sim = await simulator('idle', overrides);
  });
  afterAll(() => sim.stop());
  const url = (suffix = '') => `${sim.azureDevOps.threadsUri(true)}${suffix}?api-version=7.1`;
  const newThread = (content: string) => ({
    comments: [{ parentCommentId: 0, content, commentType: 1 }],
    status: 1,
  });

  test('create a thread, list it (by project name or ID, repository ID or name), update its comment', async () => {
    const created = await ado(sim, 'POST', url(), {
      body: newThread('<!-- aks-guard:aks-demo -->\nfirst run'),
    });
    expect(created.status).toBe(200);
    const thread = created.body as {
      id: number;
      status: string;
      comments: Record<string, unknown>[];
      properties: Record<string, unknown>;
      isDeleted: boolean;
      publishedDate: string;
      lastUpdatedDate: string;
    };
    expect(thread).toMatchObject({
      id: expect.any(Number),
      status: 'active',
      isDeleted: false,
      publishedDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastUpdatedDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      properties: expect.any(Object),
    });
    expect(thread.comments).toEqual([
      expect.objectContaining({
        id: 1,
        parentCommentId: 0,
        author: expect.objectContaining({
          displayName: 'Project Collection Build Service (contoso)',
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        }),
        content: '<!-- aks-guard:aks-demo -->\nfirst run',
        commentType: 'text',
        publishedDate: expect.any(String),
        lastUpdatedDate: expect.any(String),
        isDeleted: false,
      }),
    ]);
    expect(sim.azureDevOps.threads.map((t) => [t.pullRequestId, t.comments[0]!.content])).toEqual([
      [42, 'Please double-check the node pool sizes.'],
      [42, '<!-- aks-guard:aks-demo -->\nfirst run'],
    ]);

    const a = sim.azureDevOps;
    const listUrls = [
      url(),
      url().replace('/platform/', `/${a.projectId.toUpperCase()}/`),
      url().replace(a.repositoryId, 'Platform'),
      `${a.collectionUri}_apis/git/repositories/${a.repositoryId}/pullRequests/42/threads?api-version=7.1`,
    ];
    for (const u of listUrls) {
      const list = await ado(sim, 'GET', u);
      expect(list.status).toBe(200);
      const body = list.body as {
        value: { id: number; comments: { content: string }[] }[];
        count: number;
      };
      expect(body.count).toBe(2);
      expect(body.value.map((t) => t.comments[0]!.content)).toEqual([
        'Please double-check the node pool sizes.',
        '<!-- aks-guard:aks-demo -->\nfirst run',
      ]);
    }
    const other = await ado(sim, 'GET', `${a.threadsUri(true, 43)}?api-version=7.1`);
    expect(other.body).toEqual({ value: [], count: 0 });

    const patched = await ado(sim, 'PATCH', url(`/${thread.id}/comments/1`), {
      body: { content: '<!-- aks-guard:aks-demo -->\nsecond run' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: 1,
      parentCommentId: 0,
      content: '<!-- aks-guard:aks-demo -->\nsecond run',
      commentType: 'text',
    });
    const after = (await ado(sim, 'GET', url())).body as {
      value: { id: number; comments: { content: string }[] }[];
    };
    expect(after.value.find((t) => t.id === thread.id)!.comments[0]!.content).toBe(
      '<!-- aks-guard:aks-demo -->\nsecond run',
    );
    expect(sim.azureDevOps.threads).toHaveLength(2);
    const one = await ado(sim, 'GET', url(`/${thread.id}`));
    expect(one.body).toMatchObject({
      id: thread.id,
      comments: [{ content: expect.stringContaining('second run') }],
    });
  });

  test("a read-only token may list but not post or edit: 403 TF401027; nobody edits someone else's comment", async () => {
    const read = sim.azureDevOps.readToken;
    expect((await ado(sim, 'GET', url(), { token: read })).status).toBe(200);
    // The access token also works as the password of Basic auth, as with a PAT.
    const basic = `Basic ${Buffer.from(`:${read}`).toString('base64')}`;
    expect(
      (await ado(sim, 'GET', url(), { token: null, headers: { Authorization: basic } })).status,
    ).toBe(200);
    const post = await ado(sim, 'POST', url(), { token: read, body: newThread('x') });
    expect(post.status).toBe(403);
    expect(post.body).toMatchObject({
      $id: '1',
      message: `TF401027: You need the Git 'PullRequestContribute' permission to perform this action. Details: identity 'Build\\${sim.azureDevOps.organizationId}', scope 'repository'.`,
      typeKey: 'GitNeedsPermissionException',
      errorCode: 0,
    });
    const theirs = sim.azureDevOps.threads[0]!;
    const patch = await ado(sim, 'PATCH', url(`/${theirs.id}/comments/1`), {
      token: read,
      body: { content: 'y' },
    });
    expect([patch.status, (patch.body as { typeKey: string }).typeKey]).toEqual([
      403,
      'GitNeedsPermissionException',
    ]);
    const notMine = await ado(sim, 'PATCH', url(`/${theirs.id}/comments/1`), {
      body: { content: 'y' },
    });
    expect(notMine.status).toBe(403);
    expect(theirs.comments[0]!.content).toBe('Please double-check the node pool sizes.');
    expect(
      (
        await ado(sim, 'GET', url(), {
          token: 'wrong',
          headers: { 'X-TFS-FedAuthRedirect': 'Suppress' },
        })
      ).status,
    ).toBe(401);
  });

  test('a comment of 150,000 characters is taken; 150,001 gets 400', async () => {
    const limit = 'x'.repeat(150000);
    const ok = await ado(sim, 'POST', url(), { body: newThread(limit) });
    expect(ok.status).toBe(200);
    const message =
      'A discussion comment cannot be longer than 150000 characters.\r\nParameter name: comment.Content';
    const tooLong = await ado(sim, 'POST', url(), { body: newThread(`${limit}x`) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ $id: '1', message, errorCode: 0 });
    const id = (ok.body as { id: number }).id;
    const patch = await ado(sim, 'PATCH', url(`/${id}/comments/1`), {
      body: { content: `${limit}x` },
    });
    expect([patch.status, (patch.body as { message: string }).message]).toEqual([400, message]);
  });

  test('an unknown repository: 404 TF401019; an unknown thread or comment: 404', async () => {
    const a = sim.azureDevOps;
    const wrong = '12345678-1234-4234-8234-123456789abc';
    const r = await ado(sim, 'GET', url().replace(a.repositoryId, wrong));
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({
      message: `TF401019: The Git repository with name or identifier ${wrong} does not exist or you do not have permissions for the operation you are attempting.`,
      typeKey: 'GitRepositoryNotFoundException',
    });
    expect(
      (await ado(sim, 'PATCH', url('/999/comments/1'), { body: { content: 'x' } })).status,
    ).toBe(404);
    expect((await ado(sim, 'PATCH', url('/1/comments/9'), { body: { content: 'x' } })).status).toBe(
      404,
    );
  });

  test('the request log names each call', async () => {
    const since = sim.log.lastSeq;
    const created = await ado(sim, 'POST', url(), { body: newThread('logged') });
    await ado(sim, 'GET', url());
    await ado(sim, 'PATCH', url(`/${(created.body as { id: number }).id}/comments/1`), {
      body: { content: 'logged again' },
    });
    expect(sim.log.list(since).map((e) => [e.service, e.operation, e.method, e.status])).toEqual([
      ['azure-devops', 'AzureDevOps_CreateThread', 'POST', 200],
      ['azure-devops', 'AzureDevOps_ListThreads', 'GET', 200],
      ['azure-devops', 'AzureDevOps_UpdateComment', 'PATCH', 200],
    ]);
    expect(sim.log.list(since)[0]!.path).toMatch(
      /^\/ado\/contoso\/platform\/_apis\/git\/repositories\/[0-9a-f-]{36}\/pullRequests\/42\/threads$/,
    );
  });

  test('the admin API shows the organization, the job and the threads', async () => {
    const r = await admin(sim, 'GET', '/azure-devops');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      collectionUri: sim.azureDevOps.collectionUri,
      organization: 'contoso',
      pullRequestId: 42,
      serviceConnections: [{ name: 'aks-prod', scheme: 'WorkloadIdentityFederation' }],
    });
    expect((r.body as { threads: unknown[] }).threads).toHaveLength(sim.azureDevOps.threads.length);
  });

  test('reset clears the threads, keeping only the scenario’s own', async () => {
    expect(sim.azureDevOps.threads.length).toBeGreaterThan(1);
    await sim.reset('idle', overrides);
    expect(sim.azureDevOps.threads.map((t) => t.comments[0]!.content)).toEqual([
      'Please double-check the node pool sizes.',
    ]);
    await sim.reset('idle', FAST);
    expect(sim.azureDevOps.threads).toEqual([]);
    expect(sim.azureDevOps.pullRequestId).toBeUndefined();
  });
});
