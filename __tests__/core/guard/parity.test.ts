/**
 * A dry run plans exactly what the real run does: each situation runs twice on identical fakes,
 * once with dry-run, and the planned steps must be the steps performed. And every poll honours
 * the Retry-After the operation status asked for.
 */
import { describe, expect, test } from '@jest/globals';
import { runGuard } from '../../../src/core/guard.ts';
import { MemoryReporter } from '../../../src/core/reporter.ts';
import type { Outcome } from '../../../src/core/outcome.ts';
import { FakeAks, settingsOf } from '../../__fixtures__/fake-aks.ts';

const MIN = 60_000;

async function run(aks: FakeAks, inputs: Record<string, string>): Promise<Outcome> {
  return runGuard(settingsOf(inputs), {
    client: aks,
    reporter: new MemoryReporter(),
    clock: aks.clock,
  });
}

const SCALE = { operation: 'scale', 'node-pool': 'user', 'node-count': '4' };
const DRAIN = { code: 'UpgradeFailed', message: 'Drain node failed: blocked by pdb checkout-pdb.' };

const SITUATIONS: [string, Record<string, string>, (aks: FakeAks) => void][] = [
  ['an idle cluster, scale', SCALE, () => {}],
  ['an idle cluster, upgrade', { operation: 'upgrade', 'kubernetes-version': '1.34.4' }, () => {}],
  [
    'an idle cluster, node-image upgrade of every pool',
    { operation: 'upgrade-node-image' },
    () => {},
  ],
  [
    'a pool operation, on-pending wait',
    { ...SCALE, 'on-pending': 'wait' },
    (a) => void a.begin({ pool: 'user' }),
  ],
  [
    'a pool operation, on-pending fail',
    { ...SCALE, 'on-pending': 'fail' },
    (a) => void a.begin({ pool: 'user' }),
  ],
  [
    'a pool operation, on-pending abort',
    { ...SCALE, 'on-pending': 'abort' },
    (a) => void a.begin({ pool: 'user' }),
  ],
  [
    'a pool operation already Canceling, on-pending abort',
    { ...SCALE, 'on-pending': 'abort' },
    (a) => void a.begin({ pool: 'user', canceling: true }),
  ],
  [
    'a young cluster operation, on-pending abort with abort-after',
    { ...SCALE, 'on-pending': 'abort', 'abort-after': '10m' },
    (a) => void a.begin({ durationMs: 60 * MIN }),
  ],
  [
    'a Failed pool, on-failed reconcile',
    { ...SCALE, 'on-failed': 'reconcile' },
    (a) => void a.failed({ pool: 'user', error: DRAIN }),
  ],
  [
    'a Failed cluster, on-failed reconcile',
    { operation: 'upgrade', 'kubernetes-version': '1.34.4', 'on-failed': 'reconcile' },
    (a) => void a.failed({ error: DRAIN }),
  ],
  ['operation abort', { operation: 'abort' }, (a) => void a.begin({ verb: 'Upgrading' })],
  ['run-command', { operation: 'run-command', command: 'kubectl get nodes' }, () => {}],
];

describe('dry run and real run', () => {
  test.each(SITUATIONS)(
    '%s: the plan is what the real run does',
    async (_name, inputs, arrange) => {
      const dryAks = new FakeAks();
      arrange(dryAks);
      const dry = await run(dryAks, { ...inputs, 'dry-run': 'true' });
      expect(dryAks.writes()).toEqual([]);
      expect(dry.plan.length).toBeGreaterThan(0);

      const realAks = new FakeAks();
      arrange(realAks);
      const real = await run(realAks, inputs);
      expect(real.performed).toEqual(dry.plan);
      expect(real.plan).toEqual([]);
    },
  );

  test('on-pending abort on an operation already Canceling plans no abort', async () => {
    const aks = new FakeAks();
    aks.begin({ pool: 'user', canceling: true });
    const dry = await run(aks, { ...SCALE, 'on-pending': 'abort', 'dry-run': 'true' });
    expect(dry.plan.join('\n')).not.toMatch(/abort it|POST .*abort/);
    expect(dry.plan[0]).toMatch(/already being canceled, so no abort is sent/);
  });
});

describe('Retry-After on operation status', () => {
  /** Virtual times of the polls of this operation's status. */
  const pollsOf = (aks: FakeAks, id: string): number[] =>
    aks
      .called('operation')
      .filter((c) => c.args[0] === id)
      .map((c) => c.at);

  const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

  test('no poll of the run’s own operation comes sooner than Retry-After', async () => {
    const aks = new FakeAks();
    aks.writeDurationMs = 3 * MIN;
    aks.statusRetryAfterSeconds = 45;
    const o = await run(aks, SCALE);
    expect(o.result).toBe('succeeded');
    const polls = pollsOf(aks, o.operationId!);
    expect(polls.length).toBeGreaterThanOrEqual(3);
    for (const gap of gaps(polls)) expect(gap).toBeGreaterThanOrEqual(45_000);
  });

  test('the same for an operation the run waits for, and without Retry-After it polls sooner near the end', async () => {
    const withHeader = new FakeAks();
    withHeader.statusRetryAfterSeconds = 30;
    const other = withHeader.begin({ pool: 'user', durationMs: 2 * MIN });
    await run(withHeader, { ...SCALE, 'on-pending': 'wait' });
    for (const gap of gaps(pollsOf(withHeader, other.id)))
      expect(gap).toBeGreaterThanOrEqual(30_000);

    const without = new FakeAks();
    const again = without.begin({ pool: 'user', durationMs: 2 * MIN });
    await run(without, { ...SCALE, 'on-pending': 'wait' });
    expect(Math.min(...gaps(pollsOf(without, again.id)))).toBeLessThan(30_000);
  });

  test('Retry-After is capped by the time left: the last poll lands on the deadline', async () => {
    const aks = new FakeAks();
    aks.writeDurationMs = 30 * MIN;
    aks.statusRetryAfterSeconds = 45;
    const o = await run(aks, { ...SCALE, 'operation-timeout': '70s' });
    expect(o.result).toBe('timed-out');
    const polls = pollsOf(aks, o.operationId!);
    const started = aks.called('putPool')[0]!.at;
    // 45 s apart as asked, and the last one 25 s later, when operation-timeout runs out.
    expect(polls.map((t) => (t - started) / 1000)).toEqual([0, 45, 70]);
  });
});
