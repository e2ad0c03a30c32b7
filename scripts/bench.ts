/**
 * `npm run bench`: how fast and how gentle the built Action is, on the simulator, next to the
 * az CLI script people write today. Prints a Markdown table (paste it into the README).
 *
 * - start → first ARM request: process spawn to the first request ARM sees (idle cluster, check).
 * - pre-flight ARM requests: every request ARM sees for `check` on an idle cluster.
 * - waiting: a cluster upgrade that ends 40–70 s after the step starts; reads per minute while
 *   waiting, and detection latency (the operation ended → the first read that sees it ended).
 * - modelled long waits: the product's waiter with a virtual clock, for 10/30/60-minute operations.
 *
 * The az script: `az aks show`, `az aks wait --updated --interval 30`, as in pipelines today.
 * It runs when `az` is installed (apt-get install azure-cli); otherwise its column says so.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSimulator, type Simulator } from '../src/simulator/index.ts';
import { waitForOperation, type Clockwork, type Observation } from '../src/core/lro/wait.ts';
import { ROOT, runAction } from './lib/action-runner.ts';
import { azInstalled, azLogin } from './lib/az.ts';
import { diagnose } from '../src/core/diagnose/index.ts';

const exec = promisify(execFile);
const RUNS = 5;
const WAIT_ENDS_AFTER = [40, 48, 55, 62, 70];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const log = (s: string): void => void process.stderr.write(`${s}\n`);

function armEntries(sim: Simulator, since: number) {
  return sim.log.list(since).filter((e) => e.service === 'arm');
}

interface WaitFigures {
  detectionMs: number;
  readsPerMinute: number;
}

/** From the request log: when the operation ended, the first read after it, and reads meanwhile. */
function waitFigures(sim: Simulator, since: number, startedAt: number): WaitFigures {
  const c = [...sim.state.clusters.values()][0]!;
  const op = c.operations.find((o) => o.status === 'Succeeded' && o.kind === 'upgrade')!;
  const endMs = op.startMs + op.durationMs;
  const reads = armEntries(sim, since).filter((e) => e.method === 'GET');
  const detect = reads.find((e) => Date.parse(e.time) >= endMs);
  if (!detect) throw new Error('The operation end was never observed.');
  const detectAt = Date.parse(detect.time);
  const during = reads.filter((e) => Date.parse(e.time) <= detectAt).length;
  return {
    detectionMs: detectAt - endMs,
    readsPerMinute: during / ((detectAt - startedAt) / 60_000),
  };
}

function busyOverrides(endsAfterSeconds: number) {
  return {
    retryAfterSeconds: 0,
    clusters: [{ operation: { startedSecondsAgo: 10, durationSeconds: endsAfterSeconds + 10 } }],
  };
}

// ---------------------------------------------------------------- the contenders

/** One way of running "check the cluster, wait until it is idle" against a simulator. */
interface Contender {
  /** Prepares a simulator (e.g. signs in) and returns the run, and what to clean up. */
  prepare(sim: Simulator): Promise<{ run: () => Promise<void>; done: () => void }>;
}

/** The built Action, as the runner starts it, through the proxy with the default endpoints. */
const guard: Contender = {
  prepare: (sim) =>
    Promise.resolve({
      run: async () => {
        const run = await runAction(
          sim,
          { operation: 'check' },
          { mode: 'proxy', killAfterMs: 300_000 },
        );
        if (run.code !== 0) throw new Error(`check failed: ${run.stdout}`);
      },
      done: () => undefined,
    }),
};

const AZ_SCRIPT = `set -e
az aks show -g "$AKS_RESOURCE_GROUP" -n "$AKS_CLUSTER_NAME" --query provisioningState -o tsv
az aks wait -g "$AKS_RESOURCE_GROUP" -n "$AKS_CLUSTER_NAME" --updated --interval 30 --timeout 3600
`;

/** The az CLI script of today's pipelines, signed in beforehand. */
const azScript: Contender = {
  prepare: async (sim) => {
    const session = await azLogin(sim);
    return {
      run: async () => {
        await exec('bash', ['-c', AZ_SCRIPT], { env: session.env, timeout: 300_000 });
      },
      done: session.done,
    };
  },
};

/** An idle cluster, RUNS times: time to the first ARM request, and every ARM request made. */
async function measureIdle(
  contender: Contender,
): Promise<{ firstArmMs: number[]; armRequests: number[] }> {
  const sim = await startSimulator({ scenario: 'idle' });
  const prepared = await contender.prepare(sim);
  const firstArmMs: number[] = [];
  const armRequests: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const since = sim.log.lastSeq;
      const t0 = Date.now();
      await prepared.run();
      const arm = armEntries(sim, since);
      // Logged when answered; subtract the handling time to get when it arrived.
      firstArmMs.push(Date.parse(arm[0]!.time) - arm[0]!.durationMs - t0);
      armRequests.push(arm.length);
    }
  } finally {
    prepared.done();
    await sim.stop();
  }
  return { firstArmMs, armRequests };
}

/** A cluster upgrade that ends `endsAfter` seconds after the run starts. */
async function measureWait(contender: Contender, endsAfter: number): Promise<WaitFigures> {
  const sim = await startSimulator({
    scenario: 'cluster-upgrading',
    overrides: busyOverrides(endsAfter),
  });
  const prepared = await contender.prepare(sim);
  try {
    const since = sim.log.lastSeq;
    const t0 = Date.now();
    await prepared.run();
    return waitFigures(sim, since, t0);
  } finally {
    prepared.done();
    await sim.stop();
  }
}

// ---------------------------------------------------------------- the waiter, virtual clock

/** Reads per minute and detection latency of the product's waiter for a long operation. */
async function modelledWait(
  minutes: number,
  progress: (fraction: number) => number = (f) => f * 100,
): Promise<WaitFigures> {
  let now = 0;
  const clock: Clockwork = {
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
  };
  const duration = minutes * 60_000;
  const startTime = new Date(-duration * 0.1); // 10% done when the wait starts
  let reads = 0;
  const observe = (): Promise<Observation> => {
    reads++;
    const elapsed = now - startTime.getTime();
    return Promise.resolve(
      elapsed >= duration
        ? { status: 'Succeeded' }
        : {
            status: 'InProgress',
            percentComplete: Math.floor(progress(elapsed / duration)),
            startTime,
          },
    );
  };
  await waitForOperation({ observe, timeoutSeconds: 4 * 3600, describe: 'op', clock });
  const end = startTime.getTime() + duration;
  return { detectionMs: now - end, readsPerMinute: reads / (now / 60_000) };
}

/** `aks-guard diagnose --jsonl` on 200 messages: the whole process, and the work after start-up. */
async function diagnoseBulk(): Promise<{ processMs: number; workMs: number }> {
  const lines = readFileSync(path.join(ROOT, '__tests__/fixtures/error-corpus/dev.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean);
  const input = Array.from({ length: 200 }, (_, i) => lines[i % lines.length]!).join('\n');
  const started = Date.now();
  const child = exec(process.execPath, [
    path.join(ROOT, 'dist/cli/index.js'),
    'diagnose',
    '--jsonl',
  ]);
  child.child.stdin!.end(input);
  await child;
  const processMs = Date.now() - started;
  const messages = input.split('\n').map((l) => JSON.parse(l) as { code: string; message: string });
  const t0 = performance.now();
  for (const m of messages) diagnose(m.message, m.code ? { code: m.code } : {});
  return { processMs, workMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const withAz = azInstalled();
  log('aks-guard benchmark: idle pre-flight…');
  const gIdle = await measureIdle(guard);
  log('aks-guard: waiting for an upgrade to end (5 runs in parallel)…');
  const gWaits = await Promise.all(WAIT_ENDS_AFTER.map((s) => measureWait(guard, s)));
  let aIdle: Awaited<ReturnType<typeof measureIdle>> | undefined;
  let aWaits: WaitFigures[] | undefined;
  if (withAz) {
    log('az script: idle pre-flight…');
    aIdle = await measureIdle(azScript);
    log('az script: waiting for an upgrade to end (5 runs in parallel)…');
    aWaits = await Promise.all(WAIT_ENDS_AFTER.map((s) => measureWait(azScript, s)));
  } else {
    log('az is not installed: the az column is skipped (apt-get install azure-cli).');
  }
  log('aks-guard diagnose --jsonl: 200 messages…');
  const bulk = await diagnoseBulk();
  const modelled: [number, WaitFigures][] = [];
  for (const m of [10, 30, 60]) modelled.push([m, await modelledWait(m)]);
  // Progress that lies: 95% after two thirds of the time, then nothing until the end.
  const stalled = await modelledWait(30, (f) => Math.min(95, (f / (2 / 3)) * 95));

  const az = (f: (x: NonNullable<typeof aIdle>) => string, g?: (w: WaitFigures[]) => string) =>
    aIdle ? f(aIdle) : g ? '' : 'not installed';
  const azw = (g: (w: WaitFigures[]) => string) => (aWaits ? g(aWaits) : 'not installed');
  const rows: string[][] = [
    [
      'process start → first ARM request (median of 5)',
      `${fmt(median(gIdle.firstArmMs), 0)} ms`,
      az((x) => `${fmt(median(x.firstArmMs), 0)} ms`),
    ],
    [
      'ARM requests, pre-flight of an idle cluster',
      `${median(gIdle.armRequests)}`,
      az((x) => `${median(x.armRequests)}`),
    ],
    [
      'ARM reads per minute while waiting (median of 5 waits of 40–70 s)',
      fmt(median(gWaits.map((w) => w.readsPerMinute))),
      azw((w) => fmt(median(w.map((x) => x.readsPerMinute)))),
    ],
    [
      'detection latency: operation ended → seen (median / worst of 5)',
      `${fmt(median(gWaits.map((w) => w.detectionMs)) / 1000)} s / ${fmt(Math.max(...gWaits.map((w) => w.detectionMs)) / 1000)} s`,
      azw(
        (w) =>
          `${fmt(median(w.map((x) => x.detectionMs)) / 1000)} s / ${fmt(Math.max(...w.map((x) => x.detectionMs)) / 1000)} s`,
      ),
    ],
    ...modelled.map(([m, w]) => [
      `modelled ${m}-minute operation (virtual clock): reads/min, detection latency`,
      `${fmt(w.readsPerMinute)}, ${fmt(w.detectionMs / 1000)} s`,
      '2.0, 15 s on average, up to 30 s (from --interval 30)',
    ]),
    [
      'modelled 30-minute operation stuck at 95% for its last 10 minutes',
      `${fmt(stalled.readsPerMinute)}, ${fmt(stalled.detectionMs / 1000)} s`,
      '2.0, 15 s on average, up to 30 s (from --interval 30)',
    ],
  ];
  rows.push([
    '`aks-guard diagnose --jsonl`, 200 real messages: whole process / diagnosis work',
    `${fmt(bulk.processMs, 0)} ms / ${fmt(bulk.workMs, 0)} ms`,
    'no equivalent',
  ]);
  const out = [
    `| measure | aks-guard (dist/index.js) | az CLI script |`,
    `|---|---|---|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  log(
    `\nmeasured ${new Date().toISOString()} on ${os.cpus().length} cores, Node ${process.version}${withAz ? '' : ', without az'}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
