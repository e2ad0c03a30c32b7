/**
 * `az aks get-credentials` (Debian's azure-cli 2.45) against the simulator through its proxy, and
 * the kubeconfig it writes used by @kubernetes/client-node and by the real `kubectl` (on the machine
 * image; Debian's `kubernetes-client` package also has one), also through the proxy, at the
 * cluster's FQDN. Suites whose tool is missing are skipped and say so.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CoreV1Api, KubeConfig, PolicyV1Api } from '@kubernetes/client-node';
import type { Simulator } from '../../src/simulator/index.ts';
import { azInstalled, azLogin } from '../../scripts/lib/az.ts';
import { credential, simulator, FAST } from '../helpers/simulator.ts';
import { parseKubeconfig } from '../helpers/kube.ts';

const run = promisify(execFile);

function kubectlInstalled(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client', '-o', 'json'], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    return true;
  } catch {
    return false;
  }
}

const haveAz = azInstalled();
const haveKubectl = haveAz && kubectlInstalled();
const azSuite = haveAz ? describe : describe.skip;
const kubectlTest = haveKubectl ? test : test.skip;
const skipped = haveAz ? '' : ' (SKIPPED: `az` is not installed; `apt-get install azure-cli`)';
const noKubectl = haveKubectl ? '' : ' (SKIPPED: `kubectl` is not installed)';

async function tool(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

azSuite(`az aks get-credentials and kubectl against the simulator${skipped}`, () => {
  let sim: Simulator;
  let session: Awaited<ReturnType<typeof azLogin>>;
  let file: string;

  beforeAll(async () => {
    sim = await simulator('idle', FAST);
    session = await azLogin(sim);
    file = path.join(session.dir, 'kubeconfig');
  }, 120_000);
  afterAll(async () => {
    session?.done();
    await sim.stop();
  });

  const az = (...args: string[]) => tool('az', [...args, '--only-show-errors'], session.env);
  const kubectl = (...args: string[]) =>
    tool('kubectl', ['--kubeconfig', file, ...args], { ...session.env, KUBECONFIG: file });

  test('writes a kubeconfig for the cluster that client-node uses through the proxy', async () => {
    const r = await az(
      'aks',
      'get-credentials',
      '-g',
      session.env.AKS_RESOURCE_GROUP!,
      '-n',
      session.env.AKS_CLUSTER_NAME!,
      '--file',
      file,
    );
    expect(r.code).toBe(0);
    const doc = parseKubeconfig(readFileSync(file, 'utf8'));
    expect(doc['current-context']).toBe('aks-demo');
    expect(doc.users[0]!.name).toBe('clusterUser_rg-aks-guard-demo_aks-demo');
    const api = await sim.kubernetes.apiServer();
    expect(doc.clusters[0]!.cluster.server).toBe(`https://${api.fqdn}:443`);

    const kc = new KubeConfig();
    kc.loadFromFile(file);
    const c = kc.getCurrentCluster()!;
    kc.clusters = [{ ...c, proxyUrl: sim.proxyUrl }];
    expect((await kc.makeApiClient(CoreV1Api).listNode()).items).toHaveLength(5);
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'shop' });
    expect(pods.items).toHaveLength(5);
    const pdbs = await kc.makeApiClient(PolicyV1Api).listNamespacedPodDisruptionBudget({
      namespace: 'shop',
    });
    expect(pdbs.items.map((p) => [p.metadata!.name, p.status!.disruptionsAllowed])).toEqual([
      ['checkout-pdb', 1],
    ]);
  }, 120_000);

  test('--admin merges a second context, named <cluster>-admin as az names it', async () => {
    const r = await az(
      'aks',
      'get-credentials',
      '--admin',
      '-g',
      session.env.AKS_RESOURCE_GROUP!,
      '-n',
      session.env.AKS_CLUSTER_NAME!,
      '--file',
      file,
    );
    expect(r.code).toBe(0);
    const doc = parseKubeconfig(readFileSync(file, 'utf8'));
    expect(doc.contexts.map((c) => c.name).sort()).toEqual(['aks-demo', 'aks-demo-admin']);
    expect(doc['current-context']).toBe('aks-demo-admin');
  }, 120_000);

  kubectlTest(
    `kubectl get nodes, pods and PDBs through HTTPS_PROXY${noKubectl}`,
    async () => {
      const nodes = await kubectl('get', 'nodes', '--context', 'aks-demo');
      expect([nodes.code, nodes.stderr]).toEqual([0, '']);
      expect(nodes.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
      expect(nodes.stdout).toMatch(
        /^aks-user-12345678-vmss000001\s+Ready\s+agent\s+7d\s+v1\.34\.2$/m,
      );
      const pods = await kubectl('get', 'pods', '-n', 'shop', '-o', 'name');
      expect(pods.stdout).toContain('pod/checkout-7d9f8b6c5d-x2k4p');
      const pdbs = await kubectl('get', 'pdb', '-A', '-o', 'json');
      const list = JSON.parse(pdbs.stdout) as {
        items: { metadata: { name: string }; status: { disruptionsAllowed: number } }[];
      };
      expect(list.items.find((p) => p.metadata.name === 'checkout-pdb')?.status).toMatchObject({
        disruptionsAllowed: 1,
      });
      // SelfSubjectAccessReview (every kubectl has it; `auth whoami` needs 1.27+).
      const can = await kubectl('auth', 'can-i', 'delete', 'nodes');
      expect([can.code, can.stdout.trim()]).toEqual([0, 'yes']);
    },
    120_000,
  );

  kubectlTest(
    `kubectl shows the API server's 401${noKubectl}`,
    async () => {
      // No client certificate (it would authenticate first), only a token the server does not know.
      const api = await sim.kubernetes.apiServer();
      const ca = path.join(session.dir, 'cluster-ca.pem');
      writeFileSync(ca, api.caCertificate);
      const r = await tool(
        'kubectl',
        [
          'get',
          'pods',
          '-A',
          '--server',
          api.server,
          '--certificate-authority',
          ca,
          '--token',
          'f'.repeat(64),
        ],
        { ...session.env, KUBECONFIG: '/dev/null' },
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
    },
    120_000,
  );
});

azSuite(`az aks get-credentials on an Entra ID cluster without local accounts${skipped}`, () => {
  let sim: Simulator;
  let session: Awaited<ReturnType<typeof azLogin>>;
  let file: string;

  beforeAll(async () => {
    sim = await simulator('idle', {
      ...FAST,
      clusters: [
        {
          properties: { aadProfile: { managed: true }, disableLocalAccounts: true },
          kubernetes: { roleBindings: [{ user: 'aks-guard-ci', role: 'view' }] },
        },
      ],
    });
    session = await azLogin(sim);
    file = path.join(session.dir, 'kubeconfig');
  }, 120_000);
  afterAll(async () => {
    session?.done();
    rmSync(file, { force: true });
    await sim.stop();
  });

  const az = (...args: string[]) => tool('az', [...args, '--only-show-errors'], session.env);

  test('the user kubeconfig runs kubelogin; --admin is refused with AKS wording', async () => {
    const g = ['-g', session.env.AKS_RESOURCE_GROUP!, '-n', session.env.AKS_CLUSTER_NAME!];
    const r = await az('aks', 'get-credentials', ...g, '--file', file);
    expect(r.code).toBe(0);
    const user = parseKubeconfig(readFileSync(file, 'utf8')).users[0]!.user;
    expect(user).toMatchObject({ exec: { command: 'kubelogin' } });
    const refused = await az('aks', 'get-credentials', '--admin', ...g, '--file', `${file}.admin`);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      '(BadRequest) Getting static credential is not allowed because this cluster is set to disable local accounts.',
    );
  }, 120_000);

  kubectlTest(
    `kubectl with an Entra token: RBAC's 403 as the API server words it${noKubectl}`,
    async () => {
      const token = (
        await credential(sim).getToken('6dae42f8-4368-4678-94ff-3960e28e3630/.default')
      ).token;
      const env = { ...session.env, KUBECONFIG: file };
      const pods = await tool('kubectl', ['get', 'pods', '-n', 'shop', '--token', token], env);
      const can = await tool('kubectl', ['auth', 'can-i', 'list', 'nodes', '--token', token], env);
      expect(can.stdout.trim()).toBe('no');
      expect([pods.code, pods.stderr]).toEqual([0, '']);
      const nodes = await tool('kubectl', ['get', 'nodes', '--token', token], env);
      expect(nodes.code).not.toBe(0);
      expect(nodes.stderr).toContain(
        `Error from server (Forbidden): nodes is forbidden: User "${sim.servicePrincipal.objectId}" cannot list resource "nodes" in API group "" at the cluster scope`,
      );
    },
    120_000,
  );
});
