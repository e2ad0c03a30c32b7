/**
 * `npm run demo`: the AKS simulator answering the real Azure SDK, in the situation aks-guard
 * exists for. A pipeline wants to scale a pool while another pipeline upgrades the cluster: the
 * write is refused with 409, the operation's progress is visible, an abort ends it, and the scale
 * then goes through. (Once the guard lands, the demo runs it on the same situations.)
 */
import tls from 'node:tls';
import { ClientSecretCredential } from '@azure/identity';
import { ContainerServiceClient, type ManagedCluster } from '@azure/arm-containerservice';
import { createDefaultHttpClient, createPipelineRequest } from '@azure/core-rest-pipeline';
import { startSimulator } from '../src/simulator/index.ts';

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string): string => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const say = (s = ''): void => void process.stdout.write(`${s}\n`);
const step = (n: number, s: string): void => say(`\n${bold(`${n}. ${s}`)}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function table(mc: ManagedCluster): void {
  say(
    `   cluster ${mc.name!.padEnd(10)} ${mc.provisioningState!.padEnd(12)} ${mc.powerState?.code ?? ''}  Kubernetes ${mc.currentKubernetesVersion} (wants ${mc.kubernetesVersion})`,
  );
  for (const p of mc.agentPoolProfiles ?? []) {
    say(
      `   pool    ${p.name.padEnd(10)} ${p.provisioningState!.padEnd(12)} ${String(p.count).padStart(2)} nodes  ${p.currentOrchestratorVersion}  ${p.nodeImageVersion}`,
    );
  }
}

async function main(): Promise<void> {
  const sim = await startSimulator({
    scenario: 'idle',
    overrides: { durations: { scale: 3 }, cancelSeconds: 2 },
  });
  // This process talks to the simulator directly; trust its freshly generated CA, as
  // NODE_EXTRA_CA_CERTS does for a child process. TLS verification stays on.
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), sim.caCertPem]);
  const env = sim.env();
  const rg = env.AKS_RESOURCE_GROUP!;
  const name = env.AKS_CLUSTER_NAME!;
  try {
    say(bold('aks-guard demo: the AKS simulator answering the real Azure SDK'));
    say(
      dim(
        `simulator ${sim.origin} (ARM + Entra ID), proxy ${sim.proxyUrl}, scenario "${sim.scenarioName}"`,
      ),
    );

    step(
      1,
      "Sign in as the pipeline's service principal (client secret, Entra ID v2.0 token endpoint)",
    );
    const sp = sim.servicePrincipal;
    const credential = new ClientSecretCredential(sp.tenantId, sp.appId, sp.secret, {
      authorityHost: sim.origin,
      disableInstanceDiscovery: true,
    });
    const token = await credential.getToken('https://management.azure.com/.default');
    say(
      `   token for https://management.azure.com/, valid until ${new Date(token.expiresOnTimestamp).toISOString()}`,
    );
    const client = new ContainerServiceClient(credential, env.AZURE_SUBSCRIPTION_ID!, {
      endpoint: sim.origin,
    });

    step(2, 'Read the cluster: one GET carries the state of every node pool');
    table(await client.managedClusters.get(rg, name));

    step(3, 'Another pipeline starts an upgrade to 1.35.3');
    await fetch(`${sim.origin}/_sim/clusters/${rg}/${name}/operations`, {
      method: 'POST',
      body: JSON.stringify({
        type: 'upgrade',
        kubernetesVersion: '1.35.3',
        durationSeconds: 900,
        startedBy: 'pipeline "nightly-upgrade"',
      }),
    });
    sim.advance(360); // 6 of its 15 minutes have passed: the control plane is done, the pools are next
    table(await client.managedClusters.get(rg, name));
    const latest = await client.pipeline.sendRequest(
      createDefaultHttpClient(),
      createPipelineRequest({
        url: `${sim.origin}/subscriptions/${env.AZURE_SUBSCRIPTION_ID}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}/operations/latest?api-version=2026-08-02-preview`,
        method: 'GET',
      }),
    );
    const op = JSON.parse(latest.bodyAsText ?? '{}') as {
      status: string;
      percentComplete: number;
      subOperationType: string;
      name: string;
      startTime: string;
    };
    say(
      `   operations/latest (preview API, through the SDK client's pipeline): ${op.status} ${op.subOperationType} ${op.percentComplete}%, started ${op.startTime}`,
    );

    step(4, 'This pipeline scales the user pool to 3 nodes, as `az aks nodepool scale` would');
    const user = await client.agentPools.get(rg, name, 'user');
    try {
      await client.agentPools.createOrUpdate(rg, name, 'user', { ...user, count: 3 });
    } catch (err) {
      const e = err as { statusCode?: number; code?: string; message: string };
      say(`   ${e.statusCode} ${e.code}: ${e.message}`);
    }

    step(5, 'Abort the running upgrade (POST .../abort): AKS cancels it and rolls nothing back');
    const abort = client.managedClusters.abortLatestOperation(rg, name, {
      updateIntervalInMs: 250,
    });
    await abort.submitted();
    say(
      `   accepted; cluster is now ${(await client.managedClusters.get(rg, name)).provisioningState}`,
    );
    await abort.pollUntilDone();
    table(await client.managedClusters.get(rg, name));
    say(
      dim(
        '   the control plane reached 1.35.3 before the abort and stays there; the pools did not start',
      ),
    );

    step(6, 'Scale again, with If-Match set to the eTag just read (no blind overwrite)');
    const fresh = await client.agentPools.get(rg, name, 'user');
    say(
      dim(
        `   the pool still wants ${fresh.orchestratorVersion} but runs ${fresh.currentOrchestratorVersion}: a PUT of it as read would resume the upgrade,`,
      ),
    );
    say(dim('   so the scale keeps the version it runs'));
    const scale = client.agentPools.createOrUpdate(
      rg,
      name,
      'user',
      { ...fresh, orchestratorVersion: fresh.currentOrchestratorVersion, count: 3 },
      { ifMatch: fresh.eTag!, updateIntervalInMs: 250 },
    );
    await scale.submitted();
    for (let i = 0; i < 20 && !scale.isDone; i++) {
      const body = await client.pipeline.sendRequest(
        createDefaultHttpClient(),
        createPipelineRequest({
          url: `${sim.origin}/subscriptions/${env.AZURE_SUBSCRIPTION_ID}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}/agentPools/user/operations/latest?api-version=2026-08-02-preview`,
          method: 'GET',
        }),
      );
      const s = JSON.parse(body.bodyAsText ?? '{}') as { status: string; percentComplete?: number };
      say(dim(`   ${s.status} ${s.percentComplete ?? ''}%`));
      if (s.status !== 'InProgress') break;
      await sleep(700);
    }
    const done = await scale.pollUntilDone();
    say(`   user pool: ${done.provisioningState}, ${done.count} nodes`);

    step(7, 'What the simulator saw (request log, by operation)');
    for (const [k, v] of Object.entries(sim.log.counts()).sort((a, b) => b[1] - a[1]))
      say(`   ${String(v).padStart(3)}  ${k}`);
    say(
      `\n${dim('Next: `npm run sim -- --list` for more situations (failed clusters, stuck upgrades, throttling, ...),')}`,
    );
    say(
      dim(
        '`npm run sim -- --scenario cluster-upgrading` to rehearse against one with the Azure CLI or the SDK.',
      ),
    );
  } finally {
    await sim.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
