import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import { ClientAssertionCredential, ManagedIdentityCredential } from '@azure/identity';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import type { Simulator } from '../../src/simulator/index.ts';
import {
  aksClient,
  armErrorOf,
  clusterPath,
  credential,
  firstCluster,
  raw,
  simulator,
  FAST,
} from '../helpers/simulator.ts';

async function tokenRequest(
  sim: Simulator,
  form: Record<string, string>,
  tenant = sim.servicePrincipal.tenantId,
) {
  const r = await fetch(`${sim.origin}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function githubIdToken(
  sim: Simulator,
  requestToken = sim.env().ACTIONS_ID_TOKEN_REQUEST_TOKEN!,
) {
  const url = `${sim.env().AKS_SIM_ID_TOKEN_REQUEST_URL!}&audience=${encodeURIComponent('api://AzureADTokenExchange')}`;
  const r = await fetch(url, { headers: { Authorization: `Bearer ${requestToken}` } });
  return { status: r.status, body: (await r.json()) as { value?: string; message?: string } };
}

function assertionCredential(
  sim: Simulator,
  getAssertion: () => Promise<string>,
): ClientAssertionCredential {
  const sp = sim.servicePrincipal;
  return new ClientAssertionCredential(sp.tenantId, sp.appId, getAssertion, {
    authorityHost: sim.origin,
    disableInstanceDiscovery: true,
  });
}

describe('Entra ID client credentials with a secret', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
  });
  afterAll(() => sim.stop());

  test('issues a signed ARM access token for the service principal', async () => {
    const sp = sim.servicePrincipal;
    const r = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: sp.appId,
      client_secret: sp.secret,
      scope: 'https://management.azure.com/.default',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const claims = decodeJwt(String(r.body.access_token));
    expect(claims).toMatchObject({
      aud: 'https://management.azure.com/',
      iss: `https://sts.windows.net/${sp.tenantId}/`,
      appid: sp.appId,
      oid: sp.objectId,
      tid: sp.tenantId,
      ver: '1.0',
    });
    expect(claims.exp! - claims.iat!).toBe(3599);
  });

  test('a wrong secret gets AADSTS7000215 in the real error shape', async () => {
    const sp = sim.servicePrincipal;
    const r = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: sp.appId,
      client_secret: 'wrong',
      scope: 'https://management.azure.com/.default',
    });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(r.body.error_description).toMatch(
      /^AADSTS7000215: Invalid client secret provided\. .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s,
    );
    for (const field of ['timestamp', 'trace_id', 'correlation_id', 'error_uri'])
      expect(r.body[field]).toEqual(expect.any(String));
    const err = await credential(sim, { appId: sp.appId, secret: 'wrong' })
      .getToken('https://management.azure.com/.default')
      .catch((e: unknown) => e);
    expect(String(err)).toContain('AADSTS7000215');
  });

  test('an unknown application and an unknown tenant are refused with AADSTS700016 and AADSTS90002', async () => {
    const sp = sim.servicePrincipal;
    const unknownApp = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: '11111111-2222-3333-4444-555555555555',
      client_secret: 'x',
      scope: 'https://management.azure.com/.default',
    });
    expect([unknownApp.status, unknownApp.body.error_codes]).toEqual([400, [700016]]);
    const unknownTenant = await tokenRequest(
      sim,
      {
        grant_type: 'client_credentials',
        client_id: sp.appId,
        client_secret: sp.secret,
        scope: 'https://management.azure.com/.default',
      },
      'contoso-typo.onmicrosoft.com',
    );
    expect([unknownTenant.status, unknownTenant.body.error_codes]).toEqual([400, [90002]]);
  });
});

describe('federated credentials: a GitHub Actions OIDC token as client assertion', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
  });
  afterAll(() => sim.stop());

  test("the runner's ID-token endpoint issues a JWT with the repository's subject", async () => {
    const r = await githubIdToken(sim);
    expect(r.status).toBe(200);
    const claims = decodeJwt(r.body.value!);
    expect(claims).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:contoso/platform:ref:refs/heads/main',
      aud: 'api://AzureADTokenExchange',
      repository: 'contoso/platform',
      ref: 'refs/heads/main',
      event_name: 'push',
    });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect((await githubIdToken(sim, 'not-the-request-token')).status).toBe(401);
  });

  test('Entra exchanges it for an ARM token, and ARM accepts that token', async () => {
    const cred = assertionCredential(sim, async () => (await githubIdToken(sim)).body.value!);
    const c = firstCluster(sim);
    const mc = await aksClient(sim, cred).managedClusters.get(c.resourceGroup, c.name);
    expect(mc.name).toBe(c.name);
    const claims = decodeJwt((await cred.getToken('https://management.azure.com/.default')).token);
    expect(claims.appidacr).toBe('2');
  });

  test('an assertion whose subject matches no federated credential gets AADSTS70021 naming issuer, subject and audience', async () => {
    await sim.reset('idle', { ...FAST, github: { ref: 'refs/heads/feature-x' } });
    const assertion = (await githubIdToken(sim)).body.value!;
    const r = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: sim.servicePrincipal.appId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope: 'https://management.azure.com/.default',
    });
    expect([r.status, r.body.error, r.body.error_codes]).toEqual([401, 'invalid_client', [70021]]);
    expect(r.body.error_description).toContain(
      "No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:contoso/platform:ref:refs/heads/feature-x'. Assertion Audience: 'api://AzureADTokenExchange'.",
    );
    await sim.reset('idle', FAST);
  });

  test('an assertion used after it expired gets AADSTS700024 (the long-wait failure of azure/login + az)', async () => {
    const assertion = (await githubIdToken(sim)).body.value!;
    sim.advance(301);
    const err = await assertionCredential(sim, async () => assertion)
      .getToken('https://management.azure.com/.default')
      .catch((e: unknown) => e);
    expect(String(err)).toContain(
      'AADSTS700024: Client assertion is not within its valid time range.',
    );
    const fresh = assertionCredential(sim, async () => (await githubIdToken(sim)).body.value!);
    await expect(fresh.getToken('https://management.azure.com/.default')).resolves.toMatchObject({
      token: expect.any(String),
    });
  });

  test('an assertion signed by an unknown key is refused', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({
      sub: 'repo:contoso/platform:ref:refs/heads/main',
      aud: 'api://AzureADTokenExchange',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setIssuer('https://token.actions.githubusercontent.com')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    const err = await assertionCredential(sim, async () => forged)
      .getToken('https://management.azure.com/.default')
      .catch((e: unknown) => e);
    expect(String(err)).toContain('AADSTS50013');
  });
});

describe('ARM checks the bearer token', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('short-lived-tokens', FAST);
  });
  afterAll(() => sim.stop());

  test('no Authorization header: 401 AuthenticationFailed with a WWW-Authenticate challenge', async () => {
    const r = await raw(sim, 'GET', clusterPath(firstCluster(sim)), { token: null });
    expect(r.status).toBe(401);
    expect((r.body as { error: { code: string } }).error.code).toBe('AuthenticationFailed');
    expect(r.headers.get('www-authenticate')).toMatch(
      /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}", error="invalid_token"/,
    );
  });

  test('a token past its expiry (short-lived-tokens: 60 s) gets 401 ExpiredAuthenticationToken', async () => {
    const sp = sim.servicePrincipal;
    const t = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: sp.appId,
      client_secret: sp.secret,
      scope: 'https://management.core.windows.net//.default',
    });
    expect(t.body.expires_in).toBe(60);
    const token = String(t.body.access_token);
    expect((await raw(sim, 'GET', clusterPath(firstCluster(sim)), { token })).status).toBe(200);
    sim.advance(61);
    const r = await raw(sim, 'GET', clusterPath(firstCluster(sim)), { token });
    expect(r.status).toBe(401);
    expect((r.body as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'ExpiredAuthenticationToken',
      message: expect.stringMatching(
        /^The access token expiry UTC time '.+' is earlier than current UTC time '.+'\.$/,
      ),
    });
  });

  test('a token signed by anyone else, or for another audience, is refused', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const sp = sim.servicePrincipal;
    const now = Math.floor(Date.now() / 1000);
    const foreign = await new SignJWT({
      aud: 'https://management.azure.com/',
      tid: sp.tenantId,
      oid: sp.objectId,
      appid: sp.appId,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'x' })
      .setIssuer(`https://sts.windows.net/${sp.tenantId}/`)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    const a = await raw(sim, 'GET', clusterPath(firstCluster(sim)), { token: foreign });
    expect([a.status, (a.body as { error: { code: string } }).error.code]).toEqual([
      401,
      'InvalidAuthenticationToken',
    ]);

    const graph = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: sp.appId,
      client_secret: sp.secret,
      scope: 'https://graph.microsoft.com/.default',
    });
    const b = await raw(sim, 'GET', clusterPath(firstCluster(sim)), {
      token: String(graph.body.access_token),
    });
    expect([b.status, (b.body as { error: { code: string } }).error.code]).toEqual([
      401,
      'InvalidAuthenticationTokenAudience',
    ]);
  });

  test('expires_in and exp agree, so the SDK renews the token on its own before ARM would refuse it', async () => {
    expect(
      (
        await raw(sim, 'PATCH', '/_sim/settings', {
          token: null,
          body: { tokenLifetimeSeconds: 2 },
        })
      ).status,
    ).toBe(200);
    const c = firstCluster(sim);
    const client = aksClient(sim);
    await client.managedClusters.get(c.resourceGroup, c.name);
    await new Promise((r) => setTimeout(r, 2500));
    const since = sim.log.lastSeq;
    const mc = await client.managedClusters
      .get(c.resourceGroup, c.name)
      .catch((e: unknown) => armErrorOf(e));
    expect(mc).toMatchObject({ name: c.name });
    expect(sim.log.list(since).map((e) => [e.operation, e.status])).toEqual([
      ['Entra_Token', 200],
      ['ManagedClusters_Get', 200],
    ]);
  });
});

describe('managed identity endpoints (self-hosted runners, Cloud Shell, App Service)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
  });
  afterAll(() => sim.stop());

  const runner = () => sim.state.directory.principals.find((p) => p.managedIdentity)!;

  test("@azure/identity's ManagedIdentityCredential gets an ARM token from the simulated IMDS", async () => {
    const previous = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = sim.env().AKS_SIM_IMDS_ENDPOINT!;
    try {
      const cred = new ManagedIdentityCredential();
      const c = firstCluster(sim);
      const mc = await aksClient(sim, cred).managedClusters.get(c.resourceGroup, c.name);
      expect(mc.name).toBe(c.name);
      expect(
        decodeJwt((await cred.getToken('https://management.azure.com/.default')).token),
      ).toMatchObject({ appid: runner().appId, oid: runner().objectId });
      expect(sim.log.counts()['IMDS_Token']).toBeGreaterThan(0);
    } finally {
      if (previous === undefined) delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
      else process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = previous;
    }
  });

  test('IMDS answers like IMDS: the Metadata header is required and unknown identities are refused', async () => {
    const base = `${sim.env().AKS_SIM_IMDS_ENDPOINT!}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent('https://management.azure.com/')}`;
    const noHeader = await fetch(base);
    expect([
      noHeader.status,
      ((await noHeader.json()) as { error_description: string }).error_description,
    ]).toEqual([400, 'Required metadata header not specified']);
    const unknown = await fetch(`${base}&client_id=00000000-1111-2222-3333-444444444444`, {
      headers: { Metadata: 'true' },
    });
    expect([
      unknown.status,
      ((await unknown.json()) as { error_description: string }).error_description,
    ]).toEqual([400, 'Identity not found']);
    const ok = await fetch(`${base}&client_id=${runner().appId}`, {
      headers: { Metadata: 'true' },
    });
    expect(await ok.json()).toMatchObject({
      token_type: 'Bearer',
      client_id: runner().appId,
      resource: 'https://management.azure.com/',
      expires_in: '3599',
    });
  });

  test('the instance metadata address 169.254.169.254 is served through the proxy used as an HTTP proxy', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: sim.proxyPort,
          method: 'GET',
          path: `http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent('https://management.azure.com/')}`,
          headers: { Host: '169.254.169.254', Metadata: 'true' },
        },
        (res) => {
          let data = '';
          res.on('data', (d: Buffer) => (data += d.toString()));
          res.on('end', () => resolve(data));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toMatchObject({ token_type: 'Bearer', client_id: runner().appId });
  });

  test('the App Service endpoint checks X-IDENTITY-HEADER', async () => {
    const env = sim.env();
    const url = `${env.AKS_SIM_MSI_ENDPOINT!}?api-version=2019-08-01&resource=${encodeURIComponent('https://management.azure.com/')}`;
    expect((await fetch(url, { headers: { 'X-IDENTITY-HEADER': 'wrong' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { 'X-IDENTITY-HEADER': env.AKS_SIM_IDENTITY_HEADER! } });
    expect(await ok.json()).toMatchObject({
      token_type: 'Bearer',
      client_id: runner().appId,
      expires_on: expect.stringMatching(/^\d+$/),
    });
  });
});
