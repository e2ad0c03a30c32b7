/**
 * `npm run demo`: the built Action (dist/index.js) on the embedded simulator, run exactly as the
 * GitHub runner runs it (INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, the OIDC request URL and
 * token), through the simulator's proxy with the default Azure endpoints. By default a pipeline
 * wants to scale the user pool while another pipeline is upgrading it: aks-guard waits for the
 * upgrade, then scales. The log is shown as the runner would show it, then the outputs and the job
 * summary.
 *
 *   npm run demo                                  the default story
 *   npm run demo -- --scenario stuck-operation --input on-pending=abort
 *   npm run demo -- --list                        the scenarios
 *   npm run demo -- --task                        the same with the Azure DevOps task (AksGuard@1)
 */
import { parseArgs } from 'node:util';
import { listScenarios, startSimulator } from '../src/simulator/index.ts';
import { runAction } from './lib/action-runner.ts';
import { runTask, vsoCommands } from './lib/task-runner.ts';

const tty = process.stdout.isTTY;
const bold = (s: string): string => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string): string => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const yellow = (s: string): string => (tty ? `\x1b[33m${s}\x1b[0m` : s);
const red = (s: string): string => (tty ? `\x1b[31m${s}\x1b[0m` : s);
const say = (s = ''): void => void process.stdout.write(`${s}\n`);

const DEFAULT_INPUTS: Record<string, string> = {
  operation: 'scale',
  'node-pool': 'user',
  'node-count': '4',
  'on-pending': 'wait',
};

/** Shows a workflow-command line the way the runner's log view does; hides masks and debug. */
function render(line: string, masks: string[]): string | undefined {
  for (const m of masks) if (m) line = line.split(m).join('***');
  if (line.startsWith('::add-mask::') || line.startsWith('::debug::')) return undefined;
  if (line === '::endgroup::') return undefined;
  // Workflow commands escape %, CR and LF in their data; the runner shows them unescaped.
  const unescape = (t: string): string =>
    t.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const group = /^::group::(.*)$/.exec(line);
  if (group) return bold(`▶ ${unescape(group[1]!)}`);
  const annotation = /^::(warning|error|notice)[^:]*::(.*)$/.exec(line);
  if (annotation) {
    const text = unescape(annotation[2]!);
    return annotation[1] === 'error' ? red(`Error: ${text}`) : yellow(`Warning: ${text}`);
  }
  if (line.startsWith('::')) return undefined;
  return `  ${line}`;
}

/** The same story as an Azure Pipelines job: the task with a workload identity federation connection. */
async function taskStory(
  sim: Awaited<ReturnType<typeof startSimulator>>,
  actionInputs: Record<string, string>,
): Promise<void> {
  const camel = (k: string): string => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const env = sim.env();
  const inputs: Record<string, string> = {
    azureSubscription: sim.azureDevOps.serviceConnections[0]!.id,
    resourceGroup: env.AKS_RESOURCE_GROUP!,
    clusterName: env.AKS_CLUSTER_NAME!,
  };
  for (const [k, v] of Object.entries(actionInputs)) inputs[camel(k)] = v;
  say(
    dim(
      `the agent's view: node tasks/AksGuardV1/dist/index.js, service connection "${sim.azureDevOps.serviceConnections[0]!.name}" (WorkloadIdentityFederation), OIDC from the simulated Azure DevOps`,
    ),
  );
  const run = await runTask(inputs, {
    agentEnv: sim.azureDevOps.taskEnv({ direct: false }),
    extraEnv: { NODE_EXTRA_CA_CERTS: sim.caFile, HTTPS_PROXY: sim.proxyUrl },
    killAfterMs: 15 * 60_000,
  });
  const masks = run.secrets;
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('##vso[')) {
      const [cmd] = vsoCommands(line);
      if (cmd?.command === 'task.issue')
        say(yellow(`${cmd.props.type === 'error' ? 'Error' : 'Warning'}: ${cmd.data}`));
      continue;
    }
    const shown = masks.reduce((l, m) => (m ? l.split(m).join('***') : l), line);
    if (shown.startsWith('##[group]')) say(bold(`▶ ${shown.slice(9)}`));
    else if (!shown.startsWith('##[endgroup]') && shown.trim()) say(`  ${shown}`);
  }
  say();
  say(bold(`task result: ${run.result}`));
  say(bold('output variables:'));
  for (const [k, v] of Object.entries(run.outputs)) if (v) say(`  ${k}: ${v.split('\n')[0]}`);
  say();
  say(bold(`build summary section "${run.attachments[0]?.name ?? ''}":`));
  say(run.attachments[0]?.content ?? '');
}

/** The ending: an upgrade that fails on a PodDisruptionBudget, and what aks-guard says about it. */
async function failureStory(): Promise<void> {
  const sim = await startSimulator({
    scenario: 'upgrade-fails-drain',
    overrides: { durations: { upgrade: 8 }, retryAfterSeconds: 2 },
  });
  try {
    say();
    say(bold('And when the operation itself fails: an upgrade blocked by a PodDisruptionBudget'));
    say(dim(`scenario "upgrade-fails-drain", with: operation upgrade, kubernetes-version 1.35`));
    const run = await runAction(
      sim,
      { operation: 'upgrade', 'kubernetes-version': '1.35' },
      { mode: 'proxy', killAfterMs: 5 * 60_000 },
    );
    say(bold(`exit code ${run.code}; diagnosis-category: ${run.outputs['diagnosis-category']}`));
    say(bold('the Diagnosis section of its job summary:'));
    const start = run.summary.indexOf('### Diagnosis');
    const end = run.summary.indexOf('<details>', start);
    say(run.summary.slice(start, end > start ? end : undefined).trim());
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      input: { type: 'string', multiple: true, default: [] },
      list: { type: 'boolean', default: false },
      task: { type: 'boolean', default: false },
    },
  });
  if (values.list) {
    for (const s of listScenarios()) say(`${s.name.padEnd(30)} ${s.description}`);
    return;
  }
  const inputs = { ...DEFAULT_INPUTS };
  for (const pair of values.input) {
    const at = pair.indexOf('=');
    if (at < 1)
      throw new Error(`--input takes name=value, e.g. --input on-pending=abort (got "${pair}").`);
    inputs[pair.slice(0, at)] = pair.slice(at + 1);
  }
  // Operations take seconds here, not minutes, so the story fits in half a minute.
  const sim = await startSimulator({
    scenario: values.scenario ?? 'pool-upgrading',
    overrides: {
      durations: {
        upgrade: 20,
        scale: 8,
        'upgrade-node-image': 10,
        start: 8,
        stop: 8,
        reconcile: 8,
      },
      cancelSeconds: 2,
      retryAfterSeconds: 2,
    },
  });
  try {
    const scenario = listScenarios().find((s) => s.name === sim.scenarioName);
    say(
      bold(
        `aks-guard demo: the built ${values.task ? 'Azure DevOps task' : 'Action'} on the AKS simulator`,
      ),
    );
    say(dim(`scenario "${sim.scenarioName}": ${scenario?.description ?? ''}`));
    if (!values.task)
      say(
        dim(
          `the runner's view: node dist/index.js, HTTPS_PROXY=${sim.proxyUrl} (management.azure.com and login.microsoftonline.com are simulated), OIDC from the simulated GitHub token service`,
        ),
      );
    say();
    say(bold('with:'));
    for (const [k, v] of Object.entries(inputs)) say(`  ${k}: ${v}`);
    say();
    if (values.task) {
      await taskStory(sim, inputs);
      return;
    }
    const masks: string[] = [];
    const run = await runAction(sim, inputs, {
      mode: 'proxy',
      killAfterMs: 15 * 60_000,
      onLine: (line) => {
        if (line.startsWith('::add-mask::')) masks.push(line.slice(12));
        const shown = render(line, masks);
        if (shown !== undefined) say(shown);
      },
    });
    say();
    say(bold(`exit code ${run.code} after ${(run.elapsedMs / 1000).toFixed(1)}s`));
    say(bold('outputs:'));
    for (const [k, v] of Object.entries(run.outputs)) if (v) say(`  ${k}: ${v.split('\n')[0]}`);
    say();
    say(bold('job summary ($GITHUB_STEP_SUMMARY):'));
    say(run.summary);
    const writes = sim.log
      .list()
      .filter((e) => e.service === 'arm' && e.method !== 'GET')
      .map((e) => `${e.operation} ${e.status}`);
    const reads = sim.log.list().filter((e) => e.service === 'arm' && e.method === 'GET').length;
    say(dim(`ARM saw ${reads} reads and these writes: ${writes.join(', ') || 'none'}.`));
    if (!values.scenario || values.scenario === 'pool-upgrading') await failureStory();
    say();
    say(dim('Try another story: npm run demo -- --list, then e.g.'));
    say(dim('  npm run demo -- --scenario stuck-operation --input on-pending=abort'));
    say(
      dim(
        '  npm run demo -- --scenario upgrade-fails-drain --input operation=upgrade --input kubernetes-version=1.35',
      ),
    );
    say(dim('  npm run demo -- --scenario failed-cluster --input on-failed=reconcile'));
  } finally {
    await sim.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
