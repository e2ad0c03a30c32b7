import { describe, expect, test } from '@jest/globals';
import { codeBlock, md, table } from '../../src/core/report/markdown.ts';

const ZWSP = '\u200b';

/** `|` characters that Markdown would read as cell separators (not preceded by an escape). */
function separators(row: string): number {
  let count = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\') i++;
    else if (row[i] === '|') count++;
  }
  return count;
}

/** Characters of `chars` that appear in `text` without a backslash before them. */
function unescaped(text: string, chars: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (chars.includes(text[i]!)) found.push(text[i]!);
  }
  return found;
}

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click me](javascript:alert(1))',
  '![tracker](https://evil.example/p.png)',
  '**bold** and _em_ and ~~gone~~',
  '`code` and ``more``',
  '| a | b |',
  'a \\| b',
  'cc @octocat and @org/team',
  'line one\nline two\r\n| x |',
  '# Heading',
  '- item',
  '1. first',
];

describe('md', () => {
  test('HTML comes out as text, not tags', () => {
    expect(md('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    const img = md('<img src=x onerror=alert(1)>');
    expect(img).not.toContain('<');
    expect(img).toContain('&lt;img');
    expect(md('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  test.each([
    '[click me](javascript:alert(1))',
    '![tracker](https://evil.example/p.png)',
    '**bold** and _em_ and ~~gone~~',
    '`code` and ``more``',
    '\\*not bold\\*',
  ])('leaves no live inline markup in %j', (text) => {
    const out = md(text);
    expect(unescaped(out, '[]*_~`')).toEqual([]);
    // The text itself is still there to read.
    expect(out.replace(/\\/g, '')).toBe(text.replace(/\\/g, ''));
  });

  test('breaks @mentions with a zero-width space', () => {
    const out = md('cc @octocat and @org/team');
    expect(out).toBe(`cc @${ZWSP}octocat and @${ZWSP}org/team`);
    expect(out).not.toMatch(/@\w/);
  });

  test('turns newlines into <br> so a value stays on one line', () => {
    expect(md('line one\nline two\r\nline three')).toBe('line one<br>line two<br>line three');
  });

  test.each([
    ['# Heading', '\\# Heading'],
    ['## Sub', '\\## Sub'],
    ['- item', '\\- item'],
    ['+ item', '\\+ item'],
    ['1. first', '1\\. first'],
    ['12) twelfth', '12\\) twelfth'],
    ['===', '\\==='],
    ['  - indented', '  \\- indented'],
  ])('does not let %j start a heading or list', (text, expected) => {
    expect(md(text)).toBe(expected);
  });

  test('escapes block markers on every line', () => {
    expect(md('ok\n# title\n- item')).toBe('ok<br>\\# title<br>\\- item');
  });

  test.each([
    '1.34.2',
    'aks-demo',
    'np1',
    'rg-demo.prod',
    'Succeeded',
    'AKSNodeImage-2026.05.01',
    '40%',
  ])('leaves %j readable', (text) => {
    expect(md(text)).toBe(text);
  });

  test('writes numbers and nothing for missing values', () => {
    expect(md(3)).toBe('3');
    expect(md(undefined)).toBe('');
    expect(md(null)).toBe('');
  });
});

describe('table', () => {
  test('builds a header, a separator and one line per row', () => {
    expect(table(['name', 'state'], [['aks-demo', 'Succeeded']])).toBe(
      '| name | state |\n| --- | --- |\n| aks-demo | Succeeded |',
    );
  });

  test('hostile cells escaped with md cannot add columns or rows', () => {
    const rows = HOSTILE.map((text) => ['cell', md(text), md(`${text} again`)]);
    const lines = table(['', 'value', 'more'], rows).split('\n');
    expect(lines).toHaveLength(2 + HOSTILE.length);
    for (const line of lines) expect(separators(line)).toBe(4);
  });
});

describe('codeBlock', () => {
  /** The lines a Markdown reader would take as the fence closing a block opened by `fence`. */
  function closers(block: string): string[] {
    const [first, ...rest] = block.split('\n');
    const fence = /^`+/.exec(first!)![0];
    return rest.filter((l) => new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`).test(l));
  }

  test('fences plain content with three backticks and a language', () => {
    expect(codeBlock('kubectl get nodes', 'sh')).toBe('```sh\nkubectl get nodes\n```');
  });

  test.each(['```', 'before\n```\n# injected', '````\nx\n`````', 'a ` b `` c'])(
    'cannot be closed early by %j',
    (content) => {
      const block = codeBlock(content);
      expect(closers(block)).toEqual([block.split('\n').at(-1)]);
      expect(block).toContain(content);
    },
  );

  test('keeps mentions inert inside the block', () => {
    expect(codeBlock('ping @octocat')).toContain(`@${ZWSP}octocat`);
  });
});
