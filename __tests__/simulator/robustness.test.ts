/** Bad requests get ARM-shaped (or service-shaped) 4xx answers, and nothing takes the simulator down. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import { armToken, clusterPath, firstCluster, raw, simulator, FAST } from '../helpers/simulator.ts';
import { shapeAndCode } from '../helpers/error-shapes.ts';

let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
  token = await armToken(sim);
});
afterAll(() => sim.stop());

/** "wrapped CODE" for ARM's own errors, "flat CODE" for AKS's (see helpers/error-shapes.ts). */
const code = shapeAndCode;

describe('ARM and AKS answer bad requests, each with its own error shape', () => {
  test.each([
    ['invalid JSON', '{"properties": {', 'wrapped InvalidRequestContent'],
    ['a JSON array', '[1,2]', 'wrapped InvalidRequestContent'],
    ['JSON null', 'null', 'wrapped InvalidRequestContent'],
    ['an empty body', '', 'wrapped InvalidRequestContent'],
    [
      'a count that is not a number',
      '{"properties":{"agentPoolProfiles":[{"name":"system","count":"three"},{"name":"user"}]}}',
      'flat InvalidParameter',
    ],
    [
      'a version that is not a string',
      '{"properties":{"kubernetesVersion":134}}',
      'flat InvalidParameter',
    ],
    ['properties that are not an object', '{"properties":"x"}', 'flat InvalidParameter'],
  ])('a cluster PUT with %s: 400 %s, nothing written', async (_what, body, expected) => {
    const c = firstCluster(sim);
    const before = sim.state.clusters.values().next().value!.eTag;
    const r = await raw(sim, 'PUT', clusterPath(c), {
      token,
      body,
      headers: { 'Content-Type': 'application/json' },
    });
    expect([r.status, code(r.body)]).toEqual([400, expected]);
    expect(sim.state.clusters.values().next().value!.eTag).toBe(before);
  });

  test.each([
    [
      'no api-version',
      (p: string) => p.replace(/\?api-version=.*$/, ''),
      400,
      'wrapped MissingApiVersionParameter',
    ],
    [
      'a malformed api-version',
      (p: string) => p.replace(/api-version=.*$/, 'api-version=latest'),
      400,
      'wrapped InvalidApiVersionParameter',
    ],
    [
      'an api-version from the future',
      (p: string) => p.replace(/api-version=.*$/, 'api-version=2099-01-01'),
      400,
      'wrapped NoRegisteredProviderFound',
    ],
    [
      'an unknown cluster',
      (p: string) => p.replace('/managedClusters/aks-demo', '/managedClusters/nope'),
      404,
      'wrapped ResourceNotFound',
    ],
    [
      'a resource group outside the role assignment (even one that does not exist)',
      (p: string) => p.replace('/resourceGroups/rg-aks-guard-demo', '/resourceGroups/rg-nope'),
      403,
      'wrapped AuthorizationFailed',
    ],
    [
      'an unknown subscription',
      (p: string) =>
        p.replace(/\/subscriptions\/[^/]+/, '/subscriptions/11111111-1111-1111-1111-111111111111'),
      404,
      'wrapped SubscriptionNotFound',
    ],
    [
      'an unknown resource type',
      (p: string) => p.replace('/managedClusters/aks-demo', '/managedClusterz/aks-demo'),
      404,
      'wrapped InvalidResourceType',
    ],
    [
      'an unknown agent pool',
      (p: string) => p.replace('?', '/agentPools/nope?'),
      404,
      'wrapped ResourceNotFound',
    ],
    [
      'a broken percent-encoding',
      (p: string) => p.replace('/aks-demo', '/aks%ZZdemo'),
      400,
      'wrapped InvalidRequestUri',
    ],
  ])('a GET with %s: %s %s', async (_what, mutate, status, expected) => {
    const r = await raw(sim, 'GET', mutate(clusterPath(firstCluster(sim))), { token });
    expect([r.status, code(r.body)]).toEqual([status, expected]);
    expect(r.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('an unknown resource group, for a principal allowed to read the whole subscription: 404 ResourceGroupNotFound', async () => {
    const reader = sim.state.directory.principals.find(
      (p) => p.displayName === 'aks-guard-reader',
    )!;
    const readerToken = await armToken(sim, { appId: reader.appId, secret: reader.secrets[0]! });
    const r = await raw(
      sim,
      'GET',
      clusterPath(firstCluster(sim)).replace(
        '/resourceGroups/rg-aks-guard-demo',
        '/resourceGroups/rg-nope',
      ),
      { token: readerToken },
    );
    expect([r.status, code(r.body)]).toEqual([404, 'wrapped ResourceGroupNotFound']);
  });

  test('a method the resource does not support gets 405, an unknown async operation 404', async () => {
    const c = firstCluster(sim);
    expect(
      (await raw(sim, 'PATCH', clusterPath(c, '/agentPools/user'), { token, body: {} })).status,
    ).toBe(405);
    const r = await raw(
      sim,
      'GET',
      `/subscriptions/${c.subscriptionId}/providers/Microsoft.ContainerService/locations/eastus/operations/00000000-0000-0000-0000-000000000000?api-version=2026-04-01`,
      { token },
    );
    expect([r.status, code(r.body)]).toEqual([404, 'flat NotFound']);
  });

  test('a body over 4 MiB is refused with 413', async () => {
    const r = await raw(sim, 'PUT', clusterPath(firstCluster(sim)), {
      token,
      body: `{"x":"${'a'.repeat(5 * 1024 * 1024)}"}`,
    });
    expect(r.status).toBe(413);
  });
});

describe('other services', () => {
  test('Entra: garbage form data and unknown endpoints get OAuth-shaped errors', async () => {
    const tenant = sim.servicePrincipal.tenantId;
    const garbage = await fetch(`${sim.origin}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      body: randomBytes(64),
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: string }).error).toBe('unsupported_grant_type');
    expect((await fetch(`${sim.origin}/${tenant}/nothing-here`)).status).toBe(404);
  });

  test('GitHub REST: bad credentials, unknown repositories, read-only tokens, oversized bodies, pagination', async () => {
    const api = `${sim.origin}/api/v3/repos/contoso/platform/issues/7/comments`;
    const post = (tok: string, body: unknown) =>
      fetch(api, {
        method: 'POST',
        headers: { Authorization: `token ${tok}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('nope', { body: 'x' })).status).toBe(401);
    expect(
      (
        await fetch(api.replace('contoso/platform', 'contoso/other'), {
          headers: { Authorization: `token ${sim.github.writeToken}` },
        })
      ).status,
    ).toBe(404);
    const readOnly = await post(sim.github.readToken, { body: 'x' });
    expect([readOnly.status, ((await readOnly.json()) as { message: string }).message]).toEqual([
      403,
      'Resource not accessible by integration',
    ]);
    const tooLong = await post(sim.github.writeToken, { body: 'x'.repeat(65537) });
    expect(tooLong.status).toBe(422);
    for (let i = 0; i < 3; i++)
      expect((await post(sim.github.writeToken, { body: `comment ${i}` })).status).toBe(201);
    const page1 = await fetch(`${api}?per_page=2`, {
      headers: { Authorization: `token ${sim.github.writeToken}` },
    });
    expect(((await page1.json()) as unknown[]).length).toBe(2);
    expect(page1.headers.get('link')).toMatch(/page=2>; rel="next"/);
  });
});

describe('fuzzing', () => {
  test('hundreds of random requests never crash the simulator; every answer is a proper HTTP response', async () => {
    const c = firstCluster(sim);
    const methods = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'];
    const paths = [
      clusterPath(c),
      clusterPath(c, '/agentPools/user'),
      clusterPath(c, '/abort'),
      clusterPath(c, '/runCommand'),
      clusterPath(c, '/operations/latest', '2026-08-02-preview'),
      `/subscriptions/${c.subscriptionId}/providers/Microsoft.ContainerService/locations/eastus/kubernetesVersions?api-version=2026-04-01`,
      `/${sim.servicePrincipal.tenantId}/oauth2/v2.0/token`,
      '/api/v3/repos/contoso/platform/issues/1/comments',
      '/_sim/clock/advance',
      '/subscriptions/%E0%A4%A/x',
    ];
    const statuses = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const path = paths[i % paths.length]!;
      const method = methods[i % methods.length]!;
      const body =
        i % 3 === 0
          ? randomBytes(i % 97).toString('latin1')
          : JSON.stringify({
              properties: { count: i % 2 ? 'x' : -1, kubernetesVersion: { a: i } },
              seconds: -1,
            });
      const r = await raw(sim, method, path, { token, ...(method === 'GET' ? {} : { body }) });
      statuses.add(r.status);
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(500);
    }
    expect(statuses.size).toBeGreaterThan(3);
    expect((await raw(sim, 'GET', clusterPath(c), { token })).status).toBe(200);
    expect(sim.log.list().filter((e) => (e.operation ?? '').includes('internal error'))).toEqual(
      [],
    );
  });
});
