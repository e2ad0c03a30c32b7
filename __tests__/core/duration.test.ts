import { describe, expect, test } from '@jest/globals';
import { formatDuration, parseDuration } from '../../src/core/duration.ts';

describe('parseDuration', () => {
  test.each([
    ['90s', 90],
    ['30m', 1800],
    ['1h', 3600],
    ['2d', 172800],
    ['1h30m', 5400],
    ['1h30m15s', 5415],
    ['1d2h3m4s', 93784],
    ['2h15s', 7215],
    ['1h0m', 3600],
    ['1.5h', 5400],
    ['120', 120],
    ['2.5', 2.5],
  ])('reads %j as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  test('ignores surrounding whitespace and the case of units', () => {
    expect(parseDuration('  45M \n')).toBe(2700);
    expect(parseDuration('1H30M')).toBe(5400);
  });

  test('reads zero as zero, leaving the range check to the caller', () => {
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('0s')).toBe(0);
  });

  test.each([
    '',
    '   ',
    'abc',
    '-5',
    '-5m',
    '5 m',
    '1h 30m',
    '10w',
    'm',
    '1.h',
    'h1',
    '1e3',
    '30min',
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  test.each(['1m1m1m', '30m1h', '1h1h', '15s1h30m', '1m30s1m', '1d1d', '1s1m', '30m2d'])(
    'rejects %j: each unit at most once, largest first',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  test.each([
    [0, '0s'],
    [45, '45s'],
    [59.4, '59s'],
    [59.6, '1m'],
    [60, '1m'],
    [725, '12m 5s'],
    [3600, '1h'],
    [5400, '1h 30m'],
    [90061, '25h 1m'],
  ])('writes %d seconds as %j', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  test('drops seconds once the duration reaches an hour', () => {
    expect(formatDuration(3661)).toBe('1h 1m');
  });

  test('shows a negative duration (clock skew) as 0s', () => {
    expect(formatDuration(-30)).toBe('0s');
  });

  test('round-trips what parseDuration reads', () => {
    expect(formatDuration(parseDuration('1h30m')!)).toBe('1h 30m');
    expect(formatDuration(parseDuration('90s')!)).toBe('1m 30s');
  });
});
