/** Neutralisers: text from Azure never becomes a runner command, nor rewrites a terminal. */
import { describe, expect, test } from '@jest/globals';
import { azurePipelinesSafe, githubSafe, terminalSafe } from '../../src/platform/log-safety.ts';
import { githubCommands } from '../helpers/runner-commands.ts';

describe('githubSafe', () => {
  test.each([
    '::add-mask::hunter2',
    '  ::error::forged annotation',
    'line one\n::set-output name=result::succeeded',
    'text ##[add-mask]hunter2',
    '::stop-commands::x\n::error::after a forged stop',
  ])('%j is printed as text, not run', (text) => {
    const printed = githubSafe(text);
    expect(githubCommands(printed).filter((c) => c.name !== 'stop-commands')).toEqual([]);
    // Shown exactly as it was, between the stop and resume lines.
    expect(printed).toContain(text);
  });

  test('plain text is left alone', () => {
    expect(githubSafe('Upgrading on the managed cluster (40%)')).toBe(
      'Upgrading on the managed cluster (40%)',
    );
  });

  test('every wrap has its own token, so text cannot guess it and resume commands', () => {
    const a = githubSafe('::x::');
    const b = githubSafe('::x::');
    expect(a.split('\n')[0]).not.toBe(b.split('\n')[0]);
  });
});

describe('azurePipelinesSafe', () => {
  test.each([
    '##vso[task.complete result=Succeeded;]forged',
    'Abort answered 409 (##vso[task.setvariable variable=x;isOutput=true]y)',
    '##VSO[task.setsecret]abc',
    '##[error]forged error line',
  ])('%j holds no logging or formatting command', (text) => {
    const out = azurePipelinesSafe(text);
    expect(out).not.toMatch(/##vso\[/i);
    expect(out).not.toMatch(/##\[/);
    expect(out.replace(/ /g, '')).toBe(text.replace(/ /g, ''));
  });
});

describe('terminalSafe', () => {
  test('escape sequences, control characters and bidi overrides are gone', () => {
    const out = terminalSafe(
      'red \u001b[31mtext\u001b[0m, title \u001b]0;pwned\u0007, bell \u0007, rlo \u202Eevil\u202C, cr \rover',
    );
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e]/);
    expect(out).toContain('red text');
    expect(out).toContain('\\u{202e}evil');
  });
});
