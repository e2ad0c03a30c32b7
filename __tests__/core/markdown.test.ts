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
  'see https://evil.example/x and www.evil.example, fixes #123',
  'owner/repo#123 GH-123 !42',
  '\u202Egnp.exe',
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
    // The text itself is still there to read (zero-width spaces aside).
    expect(out.replace(/\\/g, '').replaceAll(ZWSP, '')).toBe(text.replace(/\\/g, ''));
  });

  test('breaks @mentions with a zero-width space', () => {
    const out = md('cc @octocat and @org/team');
    expect(out).toBe(`cc @${ZWSP}octocat and @${ZWSP}org/team`);
    expect(out).not.toMatch(/@\w/);
  });

  /** What a hostile string must not keep after md(): links, references, bidi controls. */
  const LIVE: [string, RegExp][] = [
    ['a URL scheme', /:\/\//],
    ['a www. autolink', /www\./i],
    ['an issue reference', /#\d/],
    ['a GH- reference', /\bGH-\d/i],
    ['an Azure DevOps pull-request reference', /!\d/],
    ['an e-mail address', /[\w.+-]@[\w-]/],
    ['a bidi control', /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/],
  ];

  test.each([
    'https://evil.example/x',
    'see https://evil.example/x.',
    'HTTPS://EVIL.EXAMPLE/X',
    'http://evil.example',
    'ftp://evil.example/file and ssh://git@evil.example',
    '(https://evil.example/in-parens)',
    'www.evil.example',
    'go to WWW.Evil.Example/path now',
    '*www.evil.example*',
    'security@evil.example',
    'mailto:security@evil.example',
    'fixes #123',
    '#1',
    'owner/repo#123',
    'see contoso/platform#42 and #7',
    'GH-123',
    'gh-9 and Gh-10',
    'PR !42 in Azure DevOps',
    '# 12 is a heading, #12 is not',
  ])('leaves no live link or reference in %j, and reads the same', (text) => {
    const out = md(text);
    for (const [what, live] of LIVE) expect([what, live.test(out)]).toEqual([what, false]);
    expect(out.replace(/\\/g, '').replaceAll(ZWSP, '')).toBe(text);
  });

  test.each([
    ['\u202A', 'U+202A'],
    ['\u202B', 'U+202B'],
    ['\u202C', 'U+202C'],
    ['\u202D', 'U+202D'],
    ['\u202E', 'U+202E'],
    ['\u2066', 'U+2066'],
    ['\u2067', 'U+2067'],
    ['\u2068', 'U+2068'],
    ['\u2069', 'U+2069'],
    ['\u200E', 'U+200E'],
    ['\u200F', 'U+200F'],
    ['\u061C', 'U+061C'],
  ])('shows the bidi control %j as <%s>, escaped, never raw', (control, name) => {
    const out = md(`aks-${control}dorp`);
    expect(out).toBe(`aks-&lt;${name}&gt;dorp`);
    for (const [what, live] of LIVE) expect([what, live.test(out)]).toEqual([what, false]);
  });

  test('an override hiding a link: both made inert', () => {
    const out = md('click \u202Ehttps://evil.example/gnp.exe\u202C now');
    expect(out).toBe(`click &lt;U+202E&gt;https:${ZWSP}//evil.example/gnp.exe&lt;U+202C&gt; now`);
  });

  test('every hostile string of the table test comes out with nothing live', () => {
    for (const text of HOSTILE) {
      const out = md(text);
      for (const [what, live] of LIVE)
        expect([text, what, live.test(out)]).toEqual([text, what, false]);
    }
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

  test('shows bidi controls inside the block instead of letting them reorder it', () => {
    const content =
      '{"message": "access \u202E} ;nimda = resu { \u2066\u2067\u2068\u2069\u200E\u200F\u061C\u202A\u202B\u202C\u202D"}';
    const block = codeBlock(content, 'json');
    expect(block).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
    expect(block).toBe(
      '```json\n{"message": "access <U+202E>} ;nimda = resu { <U+2066><U+2067><U+2068><U+2069>' +
        '<U+200E><U+200F><U+061C><U+202A><U+202B><U+202C><U+202D>"}\n```',
    );
  });
});
