/**
 * The simulated clusters' Kubernetes API servers, through the kubeconfigs the list*Credential
 * operations return and the real @kubernetes/client-node client: local accounts (client
 * certificate and token), the nodes following the pools (a running upgrade cordons the node it
 * drains), pods and PodDisruptionBudgets from the scenario, /metrics, and the API server's own
 * 401 and 403 Status answers. Simulated time stands still; nothing here waits.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CoreV1Api, PolicyV1Api, type V1Node } from '@kubernetes/client-node';
import type { Simulator } from '../../src/simulator/index.ts';
import {
  admin,
  aksClient,
  armErrorOf,
  clusterPath,
  credential,
  firstCluster,
  frozenClock,
  raw,
  simulator,
  FAST,
} from '../helpers/simulator.ts';
import { kubeConfig, kubeconfigOf, kubeRaw, parseKubeconfig } from '../helpers/kube.ts';

const AKS_SERVER_APP = '6dae42f8-4368-4678-94ff-3960e28e3630';

function names(nodes: V1Node[]): string[] {
  return nodes.map((n) => n.metadata!.name!);
}

describe('a local-accounts cluster (idle)', () => {
  let sim: Simulator;
  let userConfig: string;
  let api: { direct: string; caCertificate: string; fqdn: string };

  beforeAll(async () => {
    sim = await simulator(
      'idle',
      {
        ...FAST,
        durations: { upgrade: 100, scale: 100 },
        clusters: [
          {
            kubernetes: {
              deprecatedApis: [
                {
                  group: 'policy',
                  version: 'v1beta1',
                  resource: 'podsecuritypolicies',
                  removedRelease: '1.25',
                },
                {
                  group: 'flowcontrol.apiserver.k8s.io',
                  version: 'v1beta3',
                  resource: 'flowschemas',
                  removedRelease: '1.32',
                },
              ],
            },
          },
        ],
      },
      { clock: frozenClock() },
    );
    userConfig = await kubeconfigOf(sim, 'user');
    api = await sim.kubernetes.apiServer();
  });
  afterAll(() => sim.stop());

  test('the user kubeconfig names the cluster FQDN on 443, its CA, and a client certificate and token', async () => {
    const c = firstCluster(sim);
    const mc = await aksClient(sim).managedClusters.get(c.resourceGroup, c.name);
    const doc = parseKubeconfig(userConfig);
    expect(doc.clusters).toEqual([
      {
        name: c.name,
        cluster: {
          'certificate-authority-data': Buffer.from(api.caCertificate).toString('base64'),
          server: `https://${mc.fqdn}:443`,
        },
      },
    ]);
    const user = `clusterUser_${c.resourceGroup}_${c.name}`;
    expect(doc.contexts).toEqual([{ name: c.name, context: { cluster: c.name, user } }]);
    expect(doc['current-context']).toBe(c.name);
    expect(doc.users).toEqual([
      {
        name: user,
        user: {
          'client-certificate-data': expect.any(String),
          'client-key-data': expect.any(String),
          token: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      },
    ]);
    expect(api.fqdn).toBe(mc.fqdn);
    const adminDoc = parseKubeconfig(await kubeconfigOf(sim, 'admin'));
    expect(adminDoc.users[0]!.name).toBe(`clusterAdmin_${c.resourceGroup}_${c.name}`);
    const monitoring = parseKubeconfig(await kubeconfigOf(sim, 'monitoring'));
    expect(monitoring.users[0]!.name).toBe(`clusterMonitoringUser_${c.resourceGroup}_${c.name}`);
  });

  test('client-node lists the nodes of each pool, named and labelled as AKS names them', async () => {
    const core = kubeConfig(userConfig, { direct: api.direct }).makeApiClient(CoreV1Api);
    const nodes = (await core.listNode()).items;
    expect(names(nodes)).toEqual([
      'aks-system-12345678-vmss000000',
      'aks-system-12345678-vmss000001',
      'aks-system-12345678-vmss000002',
      'aks-user-12345678-vmss000000',
      'aks-user-12345678-vmss000001',
    ]);
    expect(nodes[3]!.metadata!.labels).toMatchObject({
      agentpool: 'user',
      'kubernetes.azure.com/agentpool': 'user',
      'kubernetes.azure.com/mode': 'user',
      'kubernetes.azure.com/node-image-version': 'AKSUbuntu-2204gen2containerd-202610.15.0',
      'node.kubernetes.io/instance-type': 'Standard_D8ds_v5',
    });
    expect(nodes[0]!.status!.nodeInfo!.kubeletVersion).toBe('v1.34.2');
    expect(nodes.every((n) => n.spec!.unschedulable === undefined)).toBe(true);
    const users = await core.listNode({ labelSelector: 'kubernetes.azure.com/agentpool=user' });
    expect(names(users.items)).toEqual([
      'aks-user-12345678-vmss000000',
      'aks-user-12345678-vmss000001',
    ]);
  });

  test('pods and PodDisruptionBudgets come from the scenario; disruptionsAllowed follows healthy pods', async () => {
    const kc = kubeConfig(userConfig, { direct: api.direct });
    const core = kc.makeApiClient(CoreV1Api);
    const shop = await core.listNamespacedPod({ namespace: 'shop' });
    expect(shop.items.map((p) => [p.metadata!.name, p.spec!.nodeName, p.status!.phase])).toEqual([
      ['checkout-7d9f8b6c5d-q8zrt', 'aks-user-12345678-vmss000000', 'Running'],
      ['checkout-7d9f8b6c5d-x2k4p', 'aks-user-12345678-vmss000001', 'Running'],
      [
        expect.stringMatching(/^checkout-7d9f8b6c5d-[a-z0-9]{5}$/),
        'aks-user-12345678-vmss000000',
        'Running',
      ],
      [
        expect.stringMatching(/^storefront-[a-z0-9]{10}-[a-z0-9]{5}$/),
        expect.any(String),
        'Running',
      ],
      [
        expect.stringMatching(/^storefront-[a-z0-9]{10}-[a-z0-9]{5}$/),
        expect.any(String),
        'Running',
      ],
    ]);
    const all = await core.listPodForAllNamespaces({
      fieldSelector: 'spec.nodeName=aks-user-12345678-vmss000001',
    });
    expect(all.items.every((p) => p.spec!.nodeName === 'aks-user-12345678-vmss000001')).toBe(true);
    expect(all.items.some((p) => p.metadata!.namespace === 'kube-system')).toBe(true);

    const pdbs = await kc.makeApiClient(PolicyV1Api).listPodDisruptionBudgetForAllNamespaces();
    expect(
      pdbs.items.map((p) => [
        `${p.metadata!.namespace}/${p.metadata!.name}`,
        p.status!.disruptionsAllowed,
        p.status!.currentHealthy,
        p.status!.desiredHealthy,
        p.status!.expectedPods,
      ]),
    ).toEqual([
      ['kube-system/coredns-pdb', 1, 2, 1, 2],
      ['kube-system/konnectivity-agent', 1, 2, 1, 2],
      ['kube-system/metrics-server-pdb', 1, 2, 1, 2],
      ['shop/checkout-pdb', 1, 3, 2, 3],
    ]);
    const one = await kc
      .makeApiClient(PolicyV1Api)
      .readNamespacedPodDisruptionBudget({ name: 'checkout-pdb', namespace: 'shop' });
    expect(one.spec).toMatchObject({
      minAvailable: 2,
      selector: { matchLabels: { app: 'checkout' } },
    });
    expect(one.status!.conditions![0]).toMatchObject({
      type: 'DisruptionAllowed',
      status: 'True',
      reason: 'SufficientPods',
    });
  });

  test('through the proxy at the cluster FQDN, with the token alone (no certificate)', async () => {
    const kc = kubeConfig(userConfig, { proxyUrl: sim.proxyUrl }, (doc) => {
      const u = doc.users[0]!.user;
      delete u['client-certificate-data'];
      delete u['client-key-data'];
    });
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    expect(nodes.items).toHaveLength(5);
    const logged = sim.log.list().filter((e) => e.service === 'kubernetes' && e.host === api.fqdn);
    expect(logged.at(-1)).toMatchObject({
      operation: 'list nodes',
      principal: 'masterclient',
      status: 200,
    });
  });

  test('an upgrade of a pool cordons the node it drains; the nodes before it run the new version', async () => {
    const c = firstCluster(sim);
    const started = await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'upgrade',
      pool: 'user',
      kubernetesVersion: '1.34.4',
      durationSeconds: 100,
    });
    expect(started.status).toBe(201);
    sim.advance(60);
    const core = kubeConfig(userConfig, { direct: api.direct }).makeApiClient(CoreV1Api);
    const users = (await core.listNode({ labelSelector: 'agentpool=user' })).items;
    expect(
      users.map((n) => [n.status!.nodeInfo!.kubeletVersion, n.spec!.unschedulable ?? false]),
    ).toEqual([
      ['v1.34.4', false],
      ['v1.34.2', true],
    ]);
    expect(users[1]!.spec!.taints).toContainEqual(
      expect.objectContaining({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }),
    );
    expect(
      (await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete?pool=user`))
        .status,
    ).toBe(200);
    const after = (await core.listNode({ labelSelector: 'agentpool=user' })).items;
    expect(
      after.map((n) => [n.status!.nodeInfo!.kubeletVersion, n.spec!.unschedulable ?? false]),
    ).toEqual([
      ['v1.34.4', false],
      ['v1.34.4', false],
    ]);
  });

  test('the node count follows the pool count once a scale is done', async () => {
    const c = firstCluster(sim);
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'scale',
      pool: 'user',
      count: 4,
      durationSeconds: 100,
    });
    const core = kubeConfig(userConfig, { direct: api.direct }).makeApiClient(CoreV1Api);
    expect((await core.listNode({ labelSelector: 'agentpool=user' })).items).toHaveLength(2);
    sim.advance(100);
    expect(names((await core.listNode({ labelSelector: 'agentpool=user' })).items)).toEqual([
      'aks-user-12345678-vmss000000',
      'aks-user-12345678-vmss000001',
      'aks-user-12345678-vmss000002',
      'aks-user-12345678-vmss000003',
    ]);
  });

  test('/version, discovery and a Table for kubectl get', async () => {
    const cert = parseKubeconfig(userConfig).users[0]!.user;
    const token = String(cert.token);
    const version = await kubeRaw(`${api.direct}/version`, api.caCertificate, { token });
    expect(version.body).toMatchObject({ major: '1', minor: '34', gitVersion: 'v1.34.2' });
    const core = await kubeRaw(`${api.direct}/api/v1`, api.caCertificate, { token });
    expect(core.body).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    const groups = await kubeRaw(`${api.direct}/apis`, api.caCertificate, { token });
    expect((groups.body as { groups: { name: string }[] }).groups.map((g) => g.name)).toContain(
      'policy',
    );
    const t = await kubeRaw(
      `${api.direct}/apis/policy/v1/namespaces/shop/poddisruptionbudgets`,
      api.caCertificate,
      {
        token,
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      },
    );
    expect(t.body).toMatchObject({
      kind: 'Table',
      columnDefinitions: [
        { name: 'Name' },
        { name: 'Min Available' },
        { name: 'Max Unavailable' },
        { name: 'Allowed Disruptions' },
        { name: 'Age' },
      ],
      rows: [{ cells: ['checkout-pdb', '2', 'N/A', 1, '7d'] }],
    });
  });

  test('/metrics carries apiserver_requested_deprecated_apis from the scenario', async () => {
    const token = String(parseKubeconfig(userConfig).users[0]!.user.token);
    const m = await kubeRaw(`${api.direct}/metrics`, api.caCertificate, { token });
    expect(m.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(m.text).toContain('# TYPE apiserver_requested_deprecated_apis gauge');
    expect(m.text).toContain(
      'apiserver_requested_deprecated_apis{group="policy",removed_release="1.25",resource="podsecuritypolicies",subresource="",version="v1beta1"} 1',
    );
    expect(m.text).toContain(
      'apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1',
    );
  });

  test('no credentials, a wrong token or an Entra token: 401 Status; the monitoring user: 403 Status', async () => {
    const unauthorized = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    };
    const none = await kubeRaw(`${api.direct}/api/v1/pods`, api.caCertificate);
    expect([none.status, none.body]).toEqual([401, unauthorized]);
    const wrong = await kubeRaw(`${api.direct}/api/v1/pods`, api.caCertificate, {
      token: 'f'.repeat(64),
    });
    expect([wrong.status, wrong.body]).toEqual([401, unauthorized]);
    // Not an Entra ID cluster: a token from Entra, even for the AKS server app, is no credential.
    const entra = await credential(sim).getToken(`${AKS_SERVER_APP}/.default`);
    const aad = await kubeRaw(`${api.direct}/api/v1/pods`, api.caCertificate, {
      token: entra.token,
    });
    expect(aad.status).toBe(401);

    const monitoring = parseKubeconfig(await kubeconfigOf(sim, 'monitoring')).users[0]!.user;
    const token = String(monitoring.token);
    expect((await kubeRaw(`${api.direct}/api/v1/pods`, api.caCertificate, { token })).status).toBe(
      200,
    );
    const pdbs = await kubeRaw(
      `${api.direct}/apis/policy/v1/poddisruptionbudgets`,
      api.caCertificate,
      { token },
    );
    expect([pdbs.status, pdbs.body]).toEqual([
      403,
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'poddisruptionbudgets.policy is forbidden: User "clusterMonitoringUser" cannot list resource "poddisruptionbudgets" in API group "policy" at the cluster scope',
        reason: 'Forbidden',
        details: { group: 'policy', kind: 'poddisruptionbudgets' },
        code: 403,
      },
    ]);
  });

  test('the admin API lists every API server with its FQDN, direct URL and CA', async () => {
    const r = await admin(sim, 'GET', '/kubernetes');
    expect(r.status).toBe(200);
    expect((r.body as { value: unknown[] }).value).toEqual([
      expect.objectContaining({
        name: 'aks-demo',
        fqdn: api.fqdn,
        server: `https://${api.fqdn}:443`,
        direct: api.direct,
        caCertificate: api.caCertificate,
        reachable: true,
      }),
    ]);
  });

  test('a Reader may not list credentials: 403 AuthorizationFailed naming the action', async () => {
    const p = sim.state.directory.principals.find((x) => x.displayName === 'aks-guard-reader')!;
    const c = firstCluster(sim);
    const err = await aksClient(sim, credential(sim, { appId: p.appId, secret: p.secrets[0]! }))
      .managedClusters.listClusterUserCredentials(c.resourceGroup, c.name)
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
      message: expect.stringContaining(
        "'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action'",
      ),
    });
  });
});

describe('failed-cluster: the PDB its drain failure names', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('failed-cluster', FAST, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('allows no disruption, and guards the pod on the node the error names', async () => {
    const kc = kubeConfig(await kubeconfigOf(sim, 'user'), {
      direct: (await sim.kubernetes.apiServer()).direct,
    });
    const pdb = await kc
      .makeApiClient(PolicyV1Api)
      .readNamespacedPodDisruptionBudget({ name: 'checkout-pdb', namespace: 'shop' });
    expect(pdb.spec).toEqual({ maxUnavailable: 0, selector: { matchLabels: { app: 'checkout' } } });
    expect(pdb.status).toMatchObject({
      disruptionsAllowed: 0,
      currentHealthy: 3,
      desiredHealthy: 3,
    });
    const pod = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedPod({ name: 'checkout-7d9f8b6c5d-x2k4p', namespace: 'shop' });
    expect(pod.spec!.nodeName).toBe('aks-user-31415926-vmss000001');
    const op = sim.state.clusters.values().next().value!.operations.at(-1)!;
    expect(op.error!.message).toContain('Drain node aks-user-31415926-vmss000001 failed');
  });
});

describe('a stopped cluster', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('stopped-cluster', FAST, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('still hands out credentials, but its API server does not answer', async () => {
    const text = await kubeconfigOf(sim, 'user');
    const api = await sim.kubernetes.apiServer();
    expect(api.reachable).toBe(false);
    const core = kubeConfig(text, { direct: api.direct }).makeApiClient(CoreV1Api);
    await expect(core.listNode()).rejects.toThrow();
    const proxied = kubeConfig(text, { proxyUrl: sim.proxyUrl }).makeApiClient(CoreV1Api);
    await expect(proxied.listNode()).rejects.toThrow();
  });
});

describe('an Entra ID cluster with local accounts disabled', () => {
  let sim: Simulator;
  let api: { direct: string; caCertificate: string };
  let reader: { appId: string; secret: string; objectId: string };

  beforeAll(async () => {
    sim = await simulator(
      'idle',
      {
        ...FAST,
        clusters: [
          {
            properties: {
              aadProfile: { managed: true, enableAzureRBAC: false },
              disableLocalAccounts: true,
            },
            kubernetes: {
              roleBindings: [
                { user: 'aks-guard-reader', role: 'view' },
                { user: 'aks-guard-ci', role: 'edit', namespace: 'shop' },
              ],
            },
          },
        ],
      },
      { clock: frozenClock() },
    );
    api = await sim.kubernetes.apiServer();
    const p = sim.state.directory.principals.find((x) => x.displayName === 'aks-guard-reader')!;
    reader = { appId: p.appId, secret: p.secrets[0]!, objectId: p.objectId };
  });
  afterAll(() => sim.stop());

  test('the user kubeconfig runs kubelogin, as AKS writes it', async () => {
    const doc = parseKubeconfig(await kubeconfigOf(sim, 'user'));
    expect(doc.users[0]!.user).toEqual({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        args: [
          'get-token',
          '--environment',
          'AzurePublicCloud',
          '--server-id',
          AKS_SERVER_APP,
          '--client-id',
          '80faf920-1908-4b52-b5ef-a8e7bedfc67a',
          '--tenant-id',
          sim.servicePrincipal.tenantId,
          '--login',
          'devicecode',
        ],
        command: 'kubelogin',
        env: null,
        installHint:
          '\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\nTo learn more, please go to https://aka.ms/aks/kubelogin\n',
        provideClusterInfo: false,
      },
    });
    const legacy = parseKubeconfig(await kubeconfigOf(sim, 'user', { format: 'azure' }));
    expect(legacy.users[0]!.user).toMatchObject({
      'auth-provider': {
        name: 'azure',
        config: { 'apiserver-id': AKS_SERVER_APP, 'config-mode': '1' },
      },
    });
  });

  test('admin and monitoring credentials are refused with AKS wording', async () => {
    for (const kind of ['admin', 'monitoring'] as const) {
      const err = await kubeconfigOf(sim, kind).catch((e: unknown) => e);
      expect(armErrorOf(err)).toMatchObject({
        statusCode: 400,
        code: 'BadRequest',
        message:
          'Getting static credential is not allowed because this cluster is set to disable local accounts.',
      });
    }
    // On the wire, in the flat shape of AKS's own errors (not wrapped in "error").
    const answer = await raw(
      sim,
      'POST',
      clusterPath(firstCluster(sim), '/listClusterAdminCredential'),
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'BadRequest' });
    expect(answer.body).not.toHaveProperty('error');
  });

  test('an Entra token for the AKS server app authenticates; Kubernetes RBAC decides per principal', async () => {
    const text = await kubeconfigOf(sim, 'user');
    const token = (await credential(sim, reader).getToken(`${AKS_SERVER_APP}/.default`)).token;
    // As `kubelogin convert-kubeconfig -l spn` then get-token would leave it: a bearer token.
    const kc = kubeConfig(text, { direct: api.direct }, (doc) => {
      doc.users[0]!.user = { token };
    });
    const pods = await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces();
    expect(pods.items.length).toBeGreaterThan(10);
    const err = await kc
      .makeApiClient(CoreV1Api)
      .listNode()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 403 });
    const nodes = await kubeRaw(`${api.direct}/api/v1/nodes`, api.caCertificate, { token });
    expect(nodes.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `nodes is forbidden: User "${reader.objectId}" cannot list resource "nodes" in API group "" at the cluster scope`,
      reason: 'Forbidden',
      details: { kind: 'nodes' },
      code: 403,
    });
  });

  test('client-node runs the exec plugin the kubeconfig names (a stand-in for kubelogin here)', async () => {
    // kubelogin is in neither npm nor Debian: a script in its place takes AKS's get-token
    // arguments and prints the ExecCredential kubelogin would, with a token the simulated Entra
    // issued for the AKS server app. (Named by path: jest's process.env does not reach spawn.)
    const token = (await credential(sim, reader).getToken(`${AKS_SERVER_APP}/.default`)).token;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-kubelogin-'));
    const script = path.join(dir, 'kubelogin');
    writeFileSync(
      script,
      [
        `#!${process.execPath}`,
        `const args = process.argv.slice(2);`,
        `const server = args[args.indexOf('--server-id') + 1];`,
        `if (args[0] !== 'get-token' || server !== '${AKS_SERVER_APP}') process.exit(3);`,
        `process.stdout.write(JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1beta1', spec: { interactive: false }, status: { token: '${token}' } }));`,
        '',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    try {
      const kc = kubeConfig(await kubeconfigOf(sim, 'user'), { direct: api.direct }, (doc) => {
        const exec = doc.users[0]!.user.exec as { command: string };
        expect(exec.command).toBe('kubelogin');
        exec.command = script;
      });
      const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'shop' });
      expect(pods.items).toHaveLength(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a namespaced binding grants that namespace only', async () => {
    const ci = sim.servicePrincipal;
    const token = (await credential(sim).getToken(`${AKS_SERVER_APP}/.default`)).token;
    const shop = await kubeRaw(`${api.direct}/api/v1/namespaces/shop/pods`, api.caCertificate, {
      token,
    });
    expect(shop.status).toBe(200);
    const named = await kubeRaw(
      `${api.direct}/api/v1/namespaces/kube-system/pods/coredns-x`,
      api.caCertificate,
      {
        token,
      },
    );
    expect([named.status, (named.body as { message: string }).message]).toEqual([
      403,
      `pods "coredns-x" is forbidden: User "${ci.objectId}" cannot get resource "pods" in API group "" in the namespace "kube-system"`,
    ]);
    const review = await kubeRaw(
      `${api.direct}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
      api.caCertificate,
      {
        token,
        method: 'POST',
        body: {
          kind: 'SelfSubjectAccessReview',
          apiVersion: 'authorization.k8s.io/v1',
          spec: { resourceAttributes: { verb: 'delete', resource: 'pods', namespace: 'shop' } },
        },
      },
    );
    expect([review.status, (review.body as { status: unknown }).status]).toEqual([
      201,
      { allowed: true },
    ]);
  });

  test('a SelfSubjectAccessReview in protobuf (as kubectl auth can-i sends it) is answered in JSON', async () => {
    const token = (await credential(sim, reader).getToken(`${AKS_SERVER_APP}/.default`)).token;
    // Protobuf by hand: field n, wire type 2 (length-delimited).
    const field = (n: number, value: Buffer): Buffer =>
      Buffer.concat([Buffer.from([(n << 3) | 2, value.length]), value]);
    const s = (v: string): Buffer => Buffer.from(v, 'utf8');
    const review = (verb: string, resource: string): Buffer => {
      const attributes = Buffer.concat([field(2, s(verb)), field(5, s(resource))]);
      const object = field(2, field(1, attributes));
      const typeMeta = Buffer.concat([
        field(1, s('authorization.k8s.io/v1')),
        field(2, s('SelfSubjectAccessReview')),
      ]);
      return Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, typeMeta), field(2, object)]);
    };
    const ask = async (verb: string, resource: string): Promise<unknown> => {
      const r = await kubeRaw(
        `${api.direct}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
        api.caCertificate,
        {
          token,
          method: 'POST',
          accept: 'application/vnd.kubernetes.protobuf,application/json',
          raw: { contentType: 'application/vnd.kubernetes.protobuf', data: review(verb, resource) },
        },
      );
      expect(r.status).toBe(201);
      return (r.body as { status: unknown }).status;
    };
    expect(await ask('list', 'pods')).toEqual({ allowed: true });
    expect(await ask('list', 'nodes')).toEqual({ allowed: false, reason: '' });
  });

  test('tokens for another audience, and the local accounts, are refused with 401', async () => {
    const arm = (await credential(sim, reader).getToken('https://management.azure.com/.default'))
      .token;
    expect(
      (await kubeRaw(`${api.direct}/api/v1/pods`, api.caCertificate, { token: arm })).status,
    ).toBe(401);
    // The local accounts exist (the cluster had them before), but are not accepted any more.
    const account = sim.state.kubernetes!;
    const c = [...sim.state.clusters.values()][0]!;
    const { pki } = await account.ensure(c);
    const admin = pki.account('clusterAdmin');
    const byToken = await kubeRaw(`${api.direct}/api/v1/pods`, api.caCertificate, {
      token: admin.token,
    });
    expect(byToken.status).toBe(401);
    const byCert = await kubeRaw(`${api.direct}/api/v1/pods`, api.caCertificate, {
      cert: { cert: admin.certificate.certPem, key: admin.certificate.keyPem },
    });
    expect(byCert.status).toBe(401);
  });
});
