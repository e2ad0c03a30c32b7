/**
 * Read blips do not end a wait or a pre-flight: throttling, 5xx, dropped connections and sign-in
 * hiccups are retried with back-off within the budget, on a virtual clock; lasting failures are not.
 */
import { describe, expect, test } from '@jest/globals';
import { AksError, retryAfterSeconds } from '../../src/core/arm-error.ts';
import { backoffMs, isTransient, retryTransient } from '../../src/core/transient.ts';
import { waitForOperation, type Clockwork, type Observation } from '../../src/core/lro/wait.ts';

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);

class FakeClock implements Clockwork {
  t = T0;
  sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

const throttled = (retryAfter?: number) =>
  new AksError({ code: 'TooManyRequests', message: 'Too many requests.' }, 429, retryAfter);
const unavailable = () =>
  new AksError({ code: 'ServiceUnavailable', message: 'The server is unavailable.' }, 503);
const reset = () => new AksError({ code: 'ECONNRESET', message: 'socket hang up' });
const forbidden = () =>
  new AksError({ code: 'AuthorizationFailed', message: 'The client has no authorization.' }, 403);

describe('isTransient', () => {
  test.each([
    ['429 without Retry-After', throttled(), true],
    ['503', unavailable(), true],
    ['a dropped connection', reset(), true],
    ['a cut-off body', new AksError({ code: 'PARSE_ERROR', message: 'aborted' }), true],
    [
      'a sign-in that met a 5xx',
      new AksError({ code: 'AuthenticationFailed', message: 'x' }, undefined, undefined, true),
      true,
    ],
    ['403', forbidden(), false],
    ['404', new AksError({ code: 'ResourceNotFound', message: 'gone' }, 404), false],
    ['501', new AksError({ code: 'NotImplemented', message: 'no' }, 501), false],
    ['not an AksError', new Error('boom'), false],
  ])('%s: %s', (_what, err, expected) => {
    expect(isTransient(err)).toBe(expected);
  });
});

describe('retryTransient', () => {
  test('four 429s without Retry-After, then an answer: backs off 1, 2, 4, 8 s', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const value = await retryTransient(
      async () => {
        if (++calls <= 4) throw throttled();
        return 'cluster';
      },
      { clock, deadlineMs: T0 + 120_000 },
    );
    expect(value).toBe('cluster');
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000]);
  });

  test('Retry-After is honoured as the delay', async () => {
    const clock = new FakeClock();
    let calls = 0;
    await retryTransient(
      async () => {
        if (++calls === 1) throw throttled(17);
        return 1;
      },
      { clock, deadlineMs: T0 + 120_000 },
    );
    expect(clock.sleeps).toEqual([17000]);
  });

  test('a lasting failure is thrown at once; a transient one once the budget is spent', async () => {
    const clock = new FakeClock();
    await expect(
      retryTransient(
        async () => {
          throw forbidden();
        },
        { clock, deadlineMs: T0 + 120_000 },
      ),
    ).rejects.toMatchObject({ statusCode: 403 });
    expect(clock.sleeps).toEqual([]);
    await expect(
      retryTransient(
        async () => {
          throw unavailable();
        },
        { clock, deadlineMs: T0 + 60_000 },
      ),
    ).rejects.toMatchObject({ statusCode: 503 });
    expect(clock.now() - T0).toBeLessThanOrEqual(60_000);
    expect(clock.sleeps.length).toBeGreaterThan(2);
  });

  test('backoffMs grows and stays capped', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, unavailable()))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });
});

describe('a wait outlives read blips; only its budget ends it', () => {
  test('a 429, four 503s and a dropped connection mid-wait: the wait goes on to the end', async () => {
    const clock = new FakeClock();
    const failures = [
      throttled(),
      unavailable(),
      unavailable(),
      unavailable(),
      unavailable(),
      reset(),
    ];
    let reads = 0;
    const lines: string[] = [];
    const end = await waitForOperation<Observation>({
      describe: 'Upgrading',
      timeoutSeconds: 3600,
      clock,
      log: (l) => lines.push(l),
      observe: async () => {
        reads++;
        if (reads >= 2 && failures.length) throw failures.shift()!;
        return clock.t - T0 > 5 * 60_000
          ? { status: 'Succeeded' }
          : { status: 'InProgress', percentComplete: 50, startTime: new Date(T0 - 60_000) };
      },
    });
    expect(end.kind).toBe('finished');
    expect(end.last?.status).toBe('Succeeded');
    expect(lines.filter((l) => /could not read its status/.test(l))).toHaveLength(6);
  });

  test('a blip that lasts past the budget ends the wait as timed out, not as an error', async () => {
    const clock = new FakeClock();
    let reads = 0;
    const end = await waitForOperation<Observation>({
      describe: 'Upgrading',
      timeoutSeconds: 120,
      clock,
      observe: async () => {
        if (++reads === 1) return { status: 'InProgress' };
        throw unavailable();
      },
    });
    expect(end.kind).toBe('timed-out');
    expect(clock.now() - T0).toBe(120_000);
  });

  test('a lasting failure still ends the wait with its error', async () => {
    const clock = new FakeClock();
    let reads = 0;
    await expect(
      waitForOperation<Observation>({
        describe: 'Upgrading',
        timeoutSeconds: 3600,
        clock,
        observe: async () => {
          if (++reads === 1) return { status: 'InProgress' };
          throw forbidden();
        },
      }),
    ).rejects.toMatchObject({ statusCode: 403 });
  });

  test('Retry-After on a status answer is a lower bound for the next poll, capped by the time left', async () => {
    const clock = new FakeClock();
    await waitForOperation<Observation>({
      describe: 'Upgrading',
      timeoutSeconds: 100,
      clock,
      observe: async () => {
        return {
          status: 'InProgress',
          percentComplete: 99,
          startTime: new Date(T0 - 600_000),
          retryAfterSeconds: 30,
        };
      },
    });
    // Near the end the waiter would poll every 2 s; the service asked for 30 s.
    expect(clock.sleeps.slice(0, 3)).toEqual([30000, 30000, 30000]);
    expect(clock.sleeps.at(-1)).toBe(10000);
  });
});

describe('retryAfterSeconds', () => {
  const headers = (h: Record<string, string>) => (n: string) => h[n];
  test.each([
    [{ 'retry-after': '10' }, 10],
    [{ 'retry-after-ms': '1500' }, 1.5],
    [{ 'x-ms-retry-after-ms': '250', 'retry-after': '10' }, 0.25],
    [{ 'retry-after': 'Fri, 01 May 2026 12:00:30 GMT' }, 30],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('%j -> %s', (h, expected) => {
    expect(retryAfterSeconds(headers(h), T0)).toBe(expected);
  });
});
